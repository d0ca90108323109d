import { DEFAULT_POLICY_RULES, evaluateRequest, POLICY_STREAM } from '@refund-desk/domain';
import { eur, events as ev, history, NOW, outOfPolicyRequest, POLICY } from '@refund-desk/domain/testing';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { CASE_FACTS, POLICY_REVISIONS, trendAnalyticsProjection } from './trend-analytics.projection';

const iso = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

describe('trend analytics projection', () => {
  const h = harnessForSuite(trendAnalyticsProjection);
  let n = 0;
  const caseId = (): string => `ta-${++n}`;
  const facts = async (id: string): Promise<Record<string, unknown>> => {
    const row = (await h.rows(CASE_FACTS, 'case_id')).find((r) => r.case_id === id)!;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)]));
  };
  const logged = ev.requestLogged(outOfPolicyRequest({ product: { sku: 'TV-1', category: 'electronics' }, reason: { code: 'defective' } }));
  const { escalation: _escalation, ...evaluation } = evaluateRequest(logged.data, POLICY, history({ earlierCases: 4 }), NOW);
  const evaluated = { type: 'PolicyEvaluated', data: { ...evaluation, evaluatedBy: 'agent', evaluatedAt: NOW.toISOString() } };

  it('RequestLogged: the dimensions trends group by', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([logged]), { caseId: id }));
    expect(await facts(id)).toMatchObject({
      customer_id: 'cus_81',
      logged_at: logged.data.loggedAt,
      channel: 'email',
      reason_code: 'defective',
      category: 'electronics',
      product_sku: 'TV-1',
      currency: 'EUR',
      amount_minor: 4990,
    });
  });

  it('PolicyEvaluated: how far past the window, and whether the customer was flagged as a repeat requester', async () => {
    const id = caseId();
    await h.apply(recorded([...asCaseEvents([logged]), evaluated], { caseId: id }));
    expect(await facts(id)).toMatchObject({
      evaluated_at: NOW.toISOString(),
      within_policy: false,
      evaluation_policy_version: 1,
      window_days: 14,
      days_over_window: 26,
      repeat_requester: true,
    });
  });

  it('Escalated: when, how urgent, and the deadline', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([logged, ev.policyEvaluated(), ev.escalated({ priority: 'urgent' })]), { caseId: id }));
    expect(await facts(id)).toMatchObject({ escalated_at: ev.escalated().data.escalatedAt, priority: 'urgent', sla_due_at: ev.escalated().data.slaDueAt });
  });

  it('Decided: outcome, amount and the policy version decided under', async () => {
    const id = caseId();
    await h.apply(
      recorded(asCaseEvents([logged, ev.policyEvaluated(), ev.decided({ outcome: 'partial_refund', amount: eur(2000), authority: { level: 'manager', limit: null, policyVersion: 3 } })]), {
        caseId: id,
      }),
    );
    expect(await facts(id)).toMatchObject({ decided_at: ev.decided().data.decidedAt, outcome: 'partial_refund', decision_minor: 2000, decision_policy_version: 3 });
  });

  it('RefundSettled: what went back and when', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([logged, ev.policyEvaluated(), ev.decided(), ev.refundIssued(), ev.refundSettled()]), { caseId: id }));
    expect(await facts(id)).toMatchObject({ refunded_minor: 4990, settled_at: ev.refundSettled().data.settledAt });
  });

  it('FollowedUp: satisfaction and when it was asked', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([logged, ev.policyEvaluated(), ev.decided(), ev.followedUp({ satisfaction: 2 })]), { caseId: id }));
    expect(await facts(id)).toMatchObject({ satisfaction: 2, followed_up_at: ev.followedUp().data.followedUpAt });
  });

  it('CaseClosed: when', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([logged, ev.caseClosed()]), { caseId: id }));
    expect(await facts(id)).toMatchObject({ closed_at: ev.caseClosed().data.closedAt });
  });

  it('PolicyRevised: one row per policy version', async () => {
    const revision = (note: string) => ({ type: 'PolicyRevised', data: { rules: DEFAULT_POLICY_RULES, changeNote: note, revisedBy: 'sofia', revisedAt: NOW.toISOString() } });
    await h.apply(recorded([revision('first'), revision('second')], { streamId: POLICY_STREAM }));
    const rows = await h.rows<Record<string, unknown>>(POLICY_REVISIONS, 'version');
    expect(rows.map((r) => [r.version, r.change_note, r.revised_by])).toEqual([[1, 'first', 'sofia'], [2, 'second', 'sofia']]);
    expect(rows[0].rules).toEqual(DEFAULT_POLICY_RULES);
  });

  it('gives the same rows when the same events are applied twice', async () => {
    const events = recorded(asCaseEvents([logged, ev.policyEvaluated(), ev.escalated(), ev.decided(), ev.refundIssued(), ev.refundSettled(), ev.followedUp(), ev.caseClosed()]), { caseId: caseId() });
    await h.apply(events);
    const once = await h.rows(CASE_FACTS, 'case_id');
    await h.apply(events);
    await h.apply([...events, ...events]);
    expect(await h.rows(CASE_FACTS, 'case_id')).toEqual(once);
  });

  it('never throws on odd data', async () => {
    const id = caseId();
    await h.apply(recorded([{ type: 'PolicyEvaluated', data: { findings: 'none', withinPolicy: 'no' } }, { type: 'FollowedUp', data: { satisfaction: 9 } }], { caseId: id }));
    expect(await facts(id)).toMatchObject({ within_policy: null, days_over_window: null, satisfaction: null, logged_at: null });
  });
});
