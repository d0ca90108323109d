import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp, waitForProjections } from '../support/test-app';

function lifecycle(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let payments: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    payments = t.token('svc_payments', ['service']);
  });
  afterAll(() => t?.close());

  it('takes one case from request to closure, recording every step', async () => {
    const now = t.clock.now();
    const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(now) });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ version: 1, status: 'logged' });
    const caseId = logged.body.caseId as string;
    expect(logged.headers.get('location')).toBe(`/v1/cases/${caseId}`);
    expect(logged.headers.get('etag')).toBe('"1"');

    const note = await t.request('POST', `/v1/cases/${caseId}/notes`, {
      token: agent,
      body: { text: 'Customer sent a video of the fault', evidence: [{ kind: 'video', uri: 'https://files.example.com/v/1.mp4' }] },
      headers: { 'if-match': '"1"' },
    });
    expect(note.status).toBe(200);
    expect(note.body.version).toBe(2);

    // Window (30 days) missed by 10: out of policy, so the evaluation escalates at once.
    const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
    expect(evaluated.status).toBe(200);
    expect(evaluated.body.status).toBe('escalated');
    expect(evaluated.body.events.map((e: { type: string }) => e.type)).toEqual(['PolicyEvaluated', 'Escalated']);
    expect(evaluated.body.evaluation).toMatchObject({ withinPolicy: false, policyVersion: 1, inputs: { daysSincePurchase: 40, earlierCases: 0 } });
    expect(evaluated.body.evaluation.findings.find((f: { rule: string }) => f.rule === 'return_window')).toMatchObject({
      result: 'fail',
      inputs: { windowDays: 30, daysOverWindow: 10 },
    });
    expect(evaluated.body.escalation).toMatchObject({ priority: 'normal', requiredAuthority: 'manager', automatic: true });

    const agentDecides = await t.request('POST', `/v1/cases/${caseId}/decision`, {
      token: agent,
      body: { outcome: 'partial_refund', amount: { minor: 2500, currency: 'EUR' }, rationale: 'Goodwill' },
    });
    expect(agentDecides.status).toBe(403);

    expect((await t.request('POST', `/v1/cases/${caseId}/assignment`, { token: manager, body: { assignee: 'mgr_marco' } })).status).toBe(200);
    const decided = await t.request('POST', `/v1/cases/${caseId}/decision`, {
      token: manager,
      body: {
        outcome: 'partial_refund',
        amount: { minor: 2500, currency: 'EUR' },
        rationale: 'Defect shortly after the window; goodwill for a first request',
        alternativesOffered: ['repair'],
      },
    });
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({
      outcome: 'partial_refund',
      amount: { minor: 2500, currency: 'EUR' },
      decidedBy: 'mgr_marco',
      authority: { level: 'manager', limit: { minor: 50000, currency: 'EUR' }, policyVersion: 1 },
      slaBreached: false,
    });

    const told = await t.request('POST', `/v1/cases/${caseId}/communications`, { token: agent, body: { channel: 'email' } });
    expect(told.status).toBe(200);
    expect(told.body.message.locale).toBe('it');
    expect(told.body.message.body).toContain('25,00\u00a0€');
    expect(told.body.message.body).toContain('Gentile Maria Rossi');

    const issued = await t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
      token: payments,
      body: { status: 'issued', method: 'card', amount: { minor: 2500, currency: 'EUR' }, reference: 'pay_1' },
    });
    expect(issued.status).toBe(200);
    const closeEarly = await t.request('POST', `/v1/cases/${caseId}/closure`, { token: agent, body: { summary: 'done' } });
    expect(closeEarly.status).toBe(409);
    const settled = await t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
      token: payments,
      body: { status: 'settled', method: 'card', amount: { minor: 2500, currency: 'EUR' }, reference: 'pay_1' },
    });
    expect(settled.status).toBe(200);

    const followUp = await t.request('POST', `/v1/cases/${caseId}/follow-up`, {
      token: agent,
      body: { satisfaction: 4, comment: 'Fair', channel: 'email' },
    });
    expect(followUp.status).toBe(200);
    const closed = await t.request('POST', `/v1/cases/${caseId}/closure`, {
      token: manager,
      body: { summary: 'Partial refund settled; customer satisfied' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', version: 11 });

    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: t.token('aud', ['auditor']) });
    expect(view.status).toBe(200);
    expect(view.headers.get('etag')).toBe('"11"');
    expect(view.body).toMatchObject({
      caseId,
      status: 'closed',
      version: 11,
      request: { customer: { id: expect.any(String), locale: 'it' }, amount: { minor: 4990, currency: 'EUR' } },
      escalation: { priority: 'normal', slaBreached: false },
      assignment: { assignee: 'mgr_marco' },
      decision: { outcome: 'partial_refund' },
      refund: { status: 'settled', reference: 'pay_1', amount: { minor: 2500, currency: 'EUR' } },
      followUp: { satisfaction: 4 },
      closure: { summary: 'Partial refund settled; customer satisfied', closedBy: 'mgr_marco' },
    });
    expect(view.body.notes).toHaveLength(1);
    expect(view.body.communications).toHaveLength(1);

    const afterClose = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'late' } });
    expect(afterClose.status).toBe(409);
    expect(afterClose.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lets an agent settle a within-policy request alone', async () => {
    const now = t.clock.now();
    const body = sampleRequest(now, {
      order: { id: 'ord_1', purchasedAt: new Date(now.getTime() - 5 * 86_400_000).toISOString(), country: 'US', paymentMethod: 'card' },
      product: { sku: 'TS-1', name: 'T-shirt', category: 'clothing', condition: 'new' },
      amount: { minor: 1500, currency: 'USD' },
      reason: { code: 'changed_mind', description: 'Wrong size' },
    });
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body });
    const evaluated = await t.request('POST', `/v1/cases/${logged.caseId}/evaluation`, { token: agent });
    expect(evaluated.body).toMatchObject({ status: 'evaluated', evaluation: { withinPolicy: true, requiredAuthority: 'agent' }, escalation: null });
    const decided = await t.request('POST', `/v1/cases/${logged.caseId}/decision`, {
      token: agent,
      body: { outcome: 'refund', rationale: 'Within the 60-day clothing window' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ amount: { minor: 1500, currency: 'USD' }, authority: { level: 'agent' }, slaBreached: null });
  });

  it('counts the customer’s earlier cases when evaluating', async () => {
    const now = t.clock.now();
    const customer = { id: `cus_repeat_${store}`, name: 'R', email: 'r@example.com', locale: 'en' };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { body } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(now, { customer }) });
      ids.push(body.caseId);
    }
    // Evaluation waits only briefly for the history read model; under load the test waits for it first.
    await waitForProjections(t);
    const evaluated = await t.request('POST', `/v1/cases/${ids[3]}/evaluation`, { token: agent });
    expect(evaluated.body.evaluation.inputs).toMatchObject({ earlierCases: 3, historyComplete: true });
    expect(evaluated.body.evaluation.findings.find((f: { rule: string }) => f.rule === 'repeat_requester').result).toBe('flag');
  });

  it('revises the policy and evaluates later cases under the new version', async () => {
    const admin = t.token('admin_1', ['admin']);
    const current = await t.request('GET', '/v1/policy', { token: agent });
    expect(current.status).toBe(200);
    const rules = { ...current.body.rules, returnWindowDays: { ...current.body.rules.returnWindowDays, default: 60, byCategory: {} } };
    const revised = await t.request('PUT', '/v1/policy', {
      token: admin,
      body: { rules, changeNote: 'Most exceptions missed the window by under a month' },
      headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(revised.status).toBe(200);
    expect(revised.body.version).toBe(current.body.version + 1);
    const stale = await t.request('PUT', '/v1/policy', { token: admin, body: { rules, changeNote: 'again' }, headers: { 'if-match': current.headers.get('etag')! } });
    expect(stale.status).toBe(412);

    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), { product: { sku: 'X', name: 'Lamp', category: 'home', condition: 'new' } }) });
    const evaluated = await t.request('POST', `/v1/cases/${logged.caseId}/evaluation`, { token: agent });
    expect(evaluated.body.evaluation).toMatchObject({ policyVersion: revised.body.version, withinPolicy: true });
  });

  it('survives concurrent commands on one case: one wins, the other retries or is refused cleanly', async () => {
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    const notes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.request('POST', `/v1/cases/${logged.caseId}/notes`, { token: agent, body: { text: `note ${i}` } })),
    );
    expect(notes.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const view = await t.request('GET', `/v1/cases/${logged.caseId}`, { token: agent });
    expect(view.body.notes.length).toBe(notes.filter((r) => r.status === 200).length);
    expect(view.body.version).toBe(1 + view.body.notes.length);
  });
}

describe('case lifecycle over HTTP on embedded PGlite', () => lifecycle('pglite'));
describeWithPostgres('case lifecycle over HTTP on PostgreSQL', () => lifecycle('postgres'));
