import { DEFAULT_POLICY_RULES, evaluateRequest, POLICY_STREAM } from '@refund-desk/domain';
import { actors, eur, events as ev, histories, history, NOW, outOfPolicyRequest, POLICY } from '@refund-desk/domain/testing';
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

  describe('appeals, four eyes and missed deadlines', () => {
    const apply = (id: string, events: Parameters<typeof asCaseEvents>[0]) => h.apply(recorded(asCaseEvents(events), { caseId: id }));
    const overturn = (o: Parameters<typeof ev.decided>[0] = {}) => {
      const { caseId: _caseId, ...decision } = ev.decided({ decidedBy: actors.secondManager.id, ...o }).data;
      return decision;
    };

    it('Decided: who decided, so appeals and overturns count against them', async () => {
      const id = caseId();
      await apply(id, histories.denied());
      expect(await facts(id)).toMatchObject({ first_decided_by: actors.manager.id, outcome: 'denied', appealed_at: null, pending_approval: null });
    });

    it('DecisionAppealed and AppealDecided: when appealed, the verdict and who gave it; the first decision stays the one counted', async () => {
      const id = caseId();
      const appeal = ev.decisionAppealed();
      const verdict = ev.appealDecided({ verdict: 'overturned', decision: overturn() });
      await apply(id, [...histories.denied(), appeal, verdict]);
      expect(await facts(id)).toMatchObject({
        first_decided_by: actors.manager.id,
        outcome: 'denied',
        appealed_at: appeal.data.appealedAt,
        appeal_decided_at: verdict.data.decidedAt,
        appeal_verdict: 'overturned',
        appeal_decided_by: actors.secondManager.id,
      });
    });

    it('DecisionApproved and DecisionRejected: counted when given; a rejection voids the decision, or the overturn', async () => {
      const approved = caseId();
      await apply(approved, [...histories.awaitingApproval(), ev.decisionApproved()]);
      expect(await facts(approved)).toMatchObject({ four_eyes_approved: [ev.decisionApproved().data.approvedAt], four_eyes_rejected: [], outcome: 'refund', pending_approval: null });
      const rejected = caseId();
      await apply(rejected, [...histories.awaitingApproval(), ev.decisionRejected()]);
      expect(await facts(rejected)).toMatchObject({ four_eyes_rejected: [ev.decisionRejected().data.rejectedAt], decided_at: null, outcome: null, first_decided_by: null });
      const voidOverturn = caseId();
      await apply(voidOverturn, [
        ...histories.denied(),
        ev.decisionAppealed(),
        ev.appealDecided({ verdict: 'overturned', decision: overturn({ fourEyes: { threshold: eur(1) } }) }),
        ev.decisionRejected(),
      ]);
      expect(await facts(voidOverturn)).toMatchObject({ outcome: 'denied', first_decided_by: actors.manager.id, appeal_verdict: null, appeal_decided_at: null, four_eyes_rejected: [ev.decisionRejected().data.rejectedAt] });
    });

    it('DeadlineMissed: each miss with its kind and when it was recorded', async () => {
      const id = caseId();
      const missed = ev.deadlineMissed();
      await apply(id, [...histories.escalated(), missed, ev.deadlineMissed({ deadline: 'follow_up', dueAt: 'x', missedAt: '2026-10-16T00:00:00.000Z', raisedTo: null })]);
      expect(await facts(id)).toMatchObject({
        deadlines_missed: [
          { deadline: 'decision_sla', at: missed.data.missedAt },
          { deadline: 'follow_up', at: '2026-10-16T00:00:00.000Z' },
        ],
      });
    });
  });
});
