import { randomUUID } from 'node:crypto';
import { sampleRequest, TestApp } from '../test-app';

export const newMessageId = (): string => `msg-${randomUUID()}`;

/** A refunds.requests.v1 value: the contract's example request plus messageId and source. */
export function requestMessage(now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> & { messageId: string } {
  return { ...sampleRequest(now), messageId: newMessageId(), source: 'storefront', ...overrides } as Record<string, unknown> & { messageId: string };
}

/** A request an agent may settle alone: clothing bought 5 days ago. */
export function withinPolicyRequest(now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> & { messageId: string } {
  return requestMessage(now, {
    order: { id: `ord_${randomUUID().slice(0, 8)}`, purchasedAt: new Date(now.getTime() - 5 * 86_400_000).toISOString(), country: 'US', paymentMethod: 'card' },
    product: { sku: 'TS-1', name: 'T-shirt', category: 'clothing', condition: 'new' },
    amount: { minor: 1500, currency: 'USD' },
    reason: { code: 'changed_mind', description: 'Wrong size' },
    ...overrides,
  });
}

export const refundStatusMessage = (caseId: string, fields: Record<string, unknown>): Record<string, unknown> & { messageId: string } => ({
  messageId: newMessageId(),
  caseId,
  status: 'issued',
  method: 'card',
  amount: { minor: 1500, currency: 'USD' },
  reference: `pay_${caseId.slice(0, 8)}`,
  ...fields,
});

export const feedbackMessage = (caseId: string, fields: Record<string, unknown> = {}): Record<string, unknown> & { messageId: string } => ({
  messageId: newMessageId(),
  caseId,
  satisfaction: 4,
  comment: 'Quick and fair, thanks Maria',
  channel: 'email',
  ...fields,
});

/** A within-policy case logged over HTTP, evaluated and decided (full refund, 15.00 USD) by an agent. */
export async function decidedCase(t: TestApp, agent: string): Promise<string> {
  const now = t.clock.now();
  const { messageId: _id, source: _source, ...body } = withinPolicyRequest(now);
  const logged = await t.request('POST', '/v1/cases', { token: agent, body });
  if (logged.status !== 201) throw new Error(`log failed: ${logged.text}`);
  const caseId = logged.body.caseId as string;
  const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
  if (evaluated.status !== 200) throw new Error(`evaluation failed: ${evaluated.text}`);
  const decided = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: agent, body: { outcome: 'refund', rationale: 'Within the clothing window' } });
  if (decided.status !== 200) throw new Error(`decision failed: ${decided.text}`);
  return caseId;
}

export const appealMessage = (caseId: string, fields: Record<string, unknown> = {}): Record<string, unknown> & { messageId: string } => ({
  messageId: newMessageId(),
  caseId,
  source: 'crm',
  reason: 'Maria says the kettle was faulty from the start',
  evidence: [{ kind: 'video', uri: 'https://files.example.com/v/81.mp4' }],
  ...fields,
});

/** An out-of-policy case (the contract's example, sold in Switzerland) logged over HTTP, escalated and denied by a manager. */
export async function deniedCase(t: TestApp, agent: string, manager: string): Promise<string> {
  const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
  if (logged.status !== 201) throw new Error(`log failed: ${logged.text}`);
  const caseId = logged.body.caseId as string;
  const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
  if (evaluated.body.status !== 'escalated') throw new Error(`not escalated: ${evaluated.text}`);
  const denied = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: manager, body: { outcome: 'denied', rationale: 'Used, outside the window' } });
  if (denied.status !== 200) throw new Error(`denial failed: ${denied.text}`);
  return caseId;
}
