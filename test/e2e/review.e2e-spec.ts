import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;
const SEPARATION = 'https://refund-desk.dev/problems/separation-of-duties';

/** Decisions reviewed over HTTP: appeals decided by another manager, four eyes above the policy threshold. */
describe('appeals and four eyes', () => {
  let t: TestApp;
  let agent: string;
  let service: string;
  let marco: string;
  let mia: string;
  let sofia: string;
  let sven: string;

  beforeAll(async () => {
    t = await startTestApp();
    agent = t.token('agent_ann', ['agent']);
    service = t.token('svc_payments', ['service']);
    marco = t.token('mgr_marco', ['manager']);
    mia = t.token('mgr_mia', ['manager']);
    sofia = t.token('sofia', ['senior_manager']);
    sven = t.token('sven', ['senior_manager']);
  });
  afterAll(() => t?.close());

  /** A used kettle 40 days on in Switzerland: outside the policy and not covered by the legal rules, so it is escalated. */
  const escalatedCase = async (overrides: Record<string, unknown> = {}): Promise<string> => {
    const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), overrides) });
    expect(logged.status).toBe(201);
    const evaluated = await t.request('POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent });
    expect(evaluated.body.status).toBe('escalated');
    return logged.body.caseId as string;
  };
  const getCase = async (caseId: string) => (await t.request('GET', `/v1/cases/${caseId}`, { token: agent })).body;
  const refund = (caseId: string, status: 'issued' | 'settled', minor: number) =>
    t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
      token: service,
      body: { status, method: 'card', amount: { minor, currency: 'EUR' }, reference: `pay_${caseId}` },
    });

  it('lets an agent appeal a denial, refuses the first decider the verdict, and a second manager overturns it; the refund follows', async () => {
    const caseId = await escalatedCase();
    const denied = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: marco, body: { outcome: 'denied', rationale: 'Used, and outside the window' } });
    expect(denied.status).toBe(200);

    const appeal = { reason: 'The customer sent a video of the fault on first use', evidence: [{ kind: 'video', uri: 'https://files.example.com/v/81.mp4' }] };
    const stale = await t.request('POST', `/v1/cases/${caseId}/appeal`, { token: agent, body: appeal, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const appealed = await t.request('POST', `/v1/cases/${caseId}/appeal`, { token: agent, body: appeal, headers: { 'if-match': denied.headers.get('etag')! } });
    expect(appealed.status).toBe(200);
    expect(appealed.body.events.map((e: { type: string }) => e.type)).toEqual(['DecisionAppealed']);
    expect(appealed.headers.get('etag')).toBe(`"${appealed.body.version}"`);
    expect((await getCase(caseId)).appeal).toMatchObject({ reason: appeal.reason, evidence: appeal.evidence, firstDecidedBy: 'mgr_marco', requiredAuthority: 'manager', appealedBy: 'agent_ann', verdict: null });

    const again = await t.request('POST', `/v1/cases/${caseId}/appeal`, { token: agent, body: appeal });
    expect(again.status).toBe(409);

    const overturn = { verdict: 'overturned', rationale: 'The video shows the fault on first use', decision: { outcome: 'refund' } };
    const byFirst = await t.request('POST', `/v1/cases/${caseId}/appeal/decision`, { token: marco, body: overturn });
    expect(byFirst.status).toBe(403);
    expect(byFirst.body.type).toBe(SEPARATION);
    expect(byFirst.body.separationOfDuties).toEqual({ rule: 'appeal_by_another', decidedBy: 'mgr_marco' });

    const byAgent = await t.request('POST', `/v1/cases/${caseId}/appeal/decision`, { token: agent, body: overturn });
    expect(byAgent.status).toBe(403);

    const missingDecision = await t.request('POST', `/v1/cases/${caseId}/appeal/decision`, { token: mia, body: { verdict: 'overturned', rationale: 'Fault' } });
    expect(missingDecision.status).toBe(400);
    expect(new Set(missingDecision.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['decision']));
    expect(missingDecision.body.errors).toContainEqual({ field: 'decision', message: 'decision is required when the appeal is overturned' });

    const overturned = await t.request('POST', `/v1/cases/${caseId}/appeal/decision`, { token: mia, body: overturn });
    expect(overturned.status).toBe(200);
    expect(overturned.body.events.map((e: { type: string }) => e.type)).toEqual(['AppealDecided']);
    expect(overturned.body.decision).toMatchObject({
      outcome: 'refund',
      amount: { minor: 4990, currency: 'EUR' },
      decidedBy: 'mgr_mia',
      rationale: overturn.rationale,
      refundDue: { under: 'policy', source: null },
    });
    expect(overturned.body.decision.fourEyes).toBeUndefined();

    const view = await getCase(caseId);
    expect(view.appeal.verdict).toMatchObject({ verdict: 'overturned', decidedBy: 'mgr_mia', replaced: { decision: { outcome: 'denied', decidedBy: 'mgr_marco' } } });
    expect(view.approval).toEqual({ status: 'not_required' });
    expect(view.deadlinesMissed).toEqual([]);

    expect((await refund(caseId, 'issued', 4990)).status).toBe(200);
    expect((await refund(caseId, 'settled', 4990)).status).toBe(200);
    expect((await getCase(caseId)).refund).toMatchObject({ status: 'settled', amount: { minor: 4990, currency: 'EUR' } });
  });

  it('refuses any refund above the four-eyes threshold until a second senior manager approves, and the decider approving it', async () => {
    // 1,500 EUR: above the manager limit (a senior manager decides) and the default 1,000 EUR threshold.
    const caseId = await escalatedCase({ amount: { minor: 150_000, currency: 'EUR' } });
    const decided = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: sofia, body: { outcome: 'refund', rationale: 'Faulty batch, loyal customer' } });
    expect(decided.status).toBe(200);
    expect(decided.body.decision.fourEyes).toEqual({ threshold: { minor: 100_000, currency: 'EUR' } });
    expect((await getCase(caseId)).approval).toEqual({ status: 'pending', threshold: { minor: 100_000, currency: 'EUR' } });

    const early = await refund(caseId, 'issued', 150_000);
    expect(early.status).toBe(409);
    expect(early.body.type).toBe('https://refund-desk.dev/problems/illegal-transition');
    expect(early.body.detail).toContain('four eyes');

    const own = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: sofia, body: { verdict: 'approved' } });
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ type: SEPARATION, separationOfDuties: { rule: 'four_eyes', decidedBy: 'sofia' } });

    const lower = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: mia, body: { verdict: 'approved' } });
    expect(lower.status).toBe(403);
    expect(lower.body.type).toBe('https://refund-desk.dev/problems/insufficient-authority');

    const approved = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: sven, body: { verdict: 'approved', note: 'Receipts match the order' } });
    expect(approved.status).toBe(200);
    expect(approved.body.events.map((e: { type: string }) => e.type)).toEqual(['DecisionApproved']);
    expect((await getCase(caseId)).approval).toMatchObject({ status: 'approved', approvedBy: 'sven', note: 'Receipts match the order' });

    const twice = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: sven, body: { verdict: 'approved' } });
    expect(twice.status).toBe(409);
    expect((await refund(caseId, 'issued', 150_000)).status).toBe(200);
  });

  it('voids a rejected decision: the case waits for a new one; a rejection needs its reason', async () => {
    const caseId = await escalatedCase({ amount: { minor: 150_000, currency: 'EUR' } });
    expect((await t.request('POST', `/v1/cases/${caseId}/decision`, { token: sofia, body: { outcome: 'refund', rationale: 'Goodwill' } })).status).toBe(200);

    const reasonless = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: sven, body: { verdict: 'rejected' } });
    expect(reasonless.status).toBe(400);
    expect(new Set(reasonless.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['note']));

    const rejected = await t.request('POST', `/v1/cases/${caseId}/approval`, { token: sven, body: { verdict: 'rejected', note: 'The photos show wear' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'escalated', events: [expect.objectContaining({ type: 'DecisionRejected' })] });
    const view = await getCase(caseId);
    expect([view.decision, view.approval]).toEqual([null, null]);
  });

  it('applies the policy fields: a revised threshold and appeal window', async () => {
    const current = (await t.request('GET', '/v1/policy', { token: agent })).body;
    expect(current.rules).toMatchObject({ fourEyesThreshold: expect.objectContaining({ EUR: 100_000 }), appealWindowDays: 30 });
    const rules = { ...current.rules, fourEyesThreshold: { EUR: 4_000 }, appealWindowDays: 10 };
    const bad = await t.request('PUT', '/v1/policy', { token: sofia, body: { rules: { ...rules, appealWindowDays: -1 }, changeNote: 'Shorter appeals' } });
    expect(bad.status).toBe(400);
    const revised = await t.request('PUT', '/v1/policy', { token: sofia, body: { rules, changeNote: 'Four eyes from 40 EUR; ten days to appeal' } });
    expect(revised.status).toBe(200);
    expect(revised.body.rules).toMatchObject({ fourEyesThreshold: { EUR: 4_000 }, appealWindowDays: 10 });

    const small = await escalatedCase();
    const decided = await t.request('POST', `/v1/cases/${small}/decision`, { token: marco, body: { outcome: 'refund', rationale: 'Goodwill' } });
    expect(decided.body.decision.fourEyes).toEqual({ threshold: { minor: 4_000, currency: 'EUR' } });

    const late = await escalatedCase();
    expect((await t.request('POST', `/v1/cases/${late}/decision`, { token: marco, body: { outcome: 'denied', rationale: 'Used' } })).status).toBe(200);
    t.clock.advance(11 * DAY);
    const appealed = await t.request('POST', `/v1/cases/${late}/appeal`, { token: service, body: { reason: 'Faulty from the start' } });
    expect(appealed.status).toBe(409);
    expect(appealed.body.detail).toContain('appeal period ended');
  });
});
