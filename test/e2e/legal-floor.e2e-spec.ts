import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;

/** Consumer law as a floor, over HTTP: the legal rules' routes, evaluation with rights, refused and contested decisions. */
describe('the legal floor', () => {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let senior: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    senior = t.token('sofia', ['senior_manager']);
    admin = t.token('ada', ['admin']);
  });
  afterAll(() => t?.close());

  const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * DAY).toISOString();

  /** The kettle: Italian, stopped heating 89 days after purchase; no delivery date given. */
  const kettle = () =>
    sampleRequest(t.clock.now(), {
      order: { id: 'ord_kettle', purchasedAt: daysAgo(89), country: 'IT', paymentMethod: 'card' },
      reason: { code: 'defective', description: 'Stopped heating after 89 days' },
    });

  const logAndEvaluate = async (body: Record<string, unknown>) => {
    const logged = await t.request('POST', '/v1/cases', { token: agent, body });
    expect(logged.status).toBe(201);
    const caseId = logged.body.caseId as string;
    const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
    expect(evaluated.status).toBe(200);
    return { caseId, evaluated: evaluated.body };
  };

  it('serves the legal rules in force, seeded on first start, to every role', async () => {
    const law = await t.request('GET', '/v1/legal-rules', { token: agent });
    expect(law.status).toBe(200);
    expect(law.headers.get('etag')).toBe('"1"');
    expect(law.body).toMatchObject({ version: 1, revisedBy: 'system' });
    expect(law.body.rules.jurisdictions.IT.conformity.source).toEqual({ act: 'Directive (EU) 2019/771', article: 'art. 10' });
    expect(Object.keys(law.body.rules.jurisdictions)).toEqual(expect.arrayContaining(['IT', 'DE', 'GB', 'RU', 'BR']));
  });

  it('lets only an admin revise them, names a wrong field, and versions each revision', async () => {
    const current = (await t.request('GET', '/v1/legal-rules', { token: admin })).body;
    const body = { rules: current.rules, changeNote: 'Re-issued unchanged after the annual legal review' };
    expect((await t.request('PUT', '/v1/legal-rules', { token: manager, body })).status).toBe(403);

    const broken = structuredClone(current.rules);
    broken.jurisdictions.IT.withdrawal.period = { days: -14 };
    const refused = await t.request('PUT', '/v1/legal-rules', { token: admin, body: { ...body, rules: broken } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'rules.jurisdictions.IT.withdrawal.period' })]);

    const shapeless = await t.request('PUT', '/v1/legal-rules', { token: admin, body: { ...body, rules: { jurisdictions: { IT: 'Italy' } } } });
    expect(shapeless.status).toBe(400);

    const revised = await t.request('PUT', '/v1/legal-rules', { token: admin, body, headers: { 'if-match': `"${current.version}"` } });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ version: current.version + 1, revisedBy: 'ada', changeNote: body.changeNote });
    const stale = await t.request('PUT', '/v1/legal-rules', { token: admin, body, headers: { 'if-match': `"${current.version}"` } });
    expect(stale.status).toBe(412);
  });

  it('recognises the kettle as a conformity claim, refuses a plain denial, and accepts a senior manager contesting it with evidence', async () => {
    const { caseId, evaluated } = await logAndEvaluate(kettle());
    // Not an exception: the law covers it, so nothing is escalated for the window it missed.
    expect(evaluated.status).toBe('evaluated');
    expect(evaluated.escalation).toBeNull();
    expect(evaluated.evaluation.legal.entitlements).toEqual([
      expect.objectContaining({ right: 'conformity', country: 'IT', source: { act: 'Directive (EU) 2019/771', article: 'art. 10' }, presumedAtDelivery: true }),
    ]);
    expect(evaluated.evaluation.legal.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ right: 'withdrawal', result: 'expired' }), expect.objectContaining({ right: 'conformity', result: 'applies' })]),
    );
    expect(evaluated.evaluation.recommendation.resolution).toBe('repair');

    const denied = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: manager, body: { outcome: 'denied', rationale: 'Outside the 30-day window' } });
    expect(denied.status).toBe(409);
    expect(denied.body.type).toBe('https://refund-desk.dev/problems/below-legal-floor');
    expect(denied.body.detail).toContain('Directive (EU) 2019/771, art. 10');
    expect(denied.body.legalFloor).toMatchObject({ problem: 'below_floor', right: 'conformity', allowedOutcomes: ['repair', 'exchange', 'partial_refund', 'refund'] });

    const contest = { right: 'conformity', reason: 'damage_by_misuse', evidence: ['lab-report-77'] };
    const byManager = await t.request('POST', `/v1/cases/${caseId}/decision`, {
      token: manager,
      body: { outcome: 'denied', rationale: 'Limescale: never descaled', contests: [contest] },
    });
    expect(byManager.status).toBe(409);
    expect(byManager.body.legalFloor.problem).toBe('contest_needs_authority');

    const contested = await t.request('POST', `/v1/cases/${caseId}/decision`, {
      token: senior,
      body: { outcome: 'denied', rationale: 'Limescale: never descaled', contests: [contest] },
    });
    expect(contested.status).toBe(200);
    expect(contested.body.decision.contests).toEqual([contest]);

    const told = await t.request('POST', `/v1/cases/${caseId}/communications`, { token: agent, body: { channel: 'email' } });
    expect(told.status).toBe(200);
    expect(told.body.message.locale).toBe('it');
    expect(told.body.message.body).toContain('Directive (EU) 2019/771, art. 10');
    expect(told.body.message.body).toContain('il danno è stato causato da un uso non conforme alle istruzioni');
    expect(told.body.message.body).toContain('può contestare questa decisione');
  });

  it('lets an agent settle the kettle with the repair the law names first, and the message cites the right', async () => {
    const { caseId } = await logAndEvaluate(kettle());
    const repaired = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: agent, body: { outcome: 'repair', rationale: 'Repair under the legal guarantee' } });
    expect(repaired.status).toBe(200);
    const told = await t.request('POST', `/v1/cases/${caseId}/communications`, { token: agent, body: { channel: 'email' } });
    expect(told.body.message.body).toContain('garanzia legale');
    expect(told.body.message.body).toContain('Directive (EU) 2019/771, art. 10');
  });

  it('finds a withdrawal within 14 days of delivery lawful although outside the shop window, and refuses store credit for it', async () => {
    const { caseId, evaluated } = await logAndEvaluate(
      sampleRequest(t.clock.now(), {
        order: { id: 'ord_late', purchasedAt: daysAgo(40), deliveredAt: daysAgo(5), saleChannel: 'online', country: 'IT', paymentMethod: 'card' },
        product: { sku: 'TV-55', name: 'Television', category: 'electronics', condition: 'like_new' },
        reason: { code: 'changed_mind', description: 'Too big for the room' },
      }),
    );
    expect(evaluated.status).toBe('evaluated');
    expect(evaluated.evaluation.findings.find((f: { rule: string }) => f.rule === 'return_window').result).toBe('fail');
    expect(evaluated.evaluation.legal.entitlements).toEqual([expect.objectContaining({ right: 'withdrawal', refundDueDays: 14 })]);
    expect(evaluated.evaluation.recommendation.resolution).toBe('refund');

    const credit = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: manager, body: { outcome: 'store_credit', rationale: 'Goodwill credit' } });
    expect(credit.status).toBe(409);
    expect(credit.body.legalFloor).toMatchObject({ right: 'withdrawal', allowedOutcomes: ['refund'] });

    const refunded = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: agent, body: { outcome: 'refund', rationale: 'Statutory withdrawal' } });
    expect(refunded.status).toBe(200);
  });

  it('keeps a sale in a shop, outside the window and without a defect, an exception', async () => {
    const { evaluated } = await logAndEvaluate(
      sampleRequest(t.clock.now(), {
        order: { id: 'ord_shop', purchasedAt: daysAgo(20), deliveredAt: daysAgo(20), saleChannel: 'in_store', country: 'IT', paymentMethod: 'card' },
        product: { sku: 'TV-55', name: 'Television', category: 'electronics', condition: 'like_new' },
        reason: { code: 'changed_mind', description: 'Too big for the room' },
      }),
    );
    expect(evaluated.status).toBe('escalated');
    expect(evaluated.evaluation.legal.entitlements).toEqual([]);
    expect(evaluated.evaluation.legal.findings).toEqual([expect.objectContaining({ right: 'withdrawal', result: 'not_applicable' })]);
  });

  it('refuses a delivery before the purchase, naming the field', async () => {
    const refused = await t.request('POST', '/v1/cases', {
      token: agent,
      body: sampleRequest(t.clock.now(), { order: { id: 'o', purchasedAt: daysAgo(10), deliveredAt: daysAgo(11), country: 'IT', paymentMethod: 'card' } }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'order.deliveredAt' })]);
  });
});
