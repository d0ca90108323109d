import { actors, eur, events as ev, histories, outOfPolicyRequest } from '@refund-desk/domain/testing';
import { asCaseEvents, caseRows, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { MANAGER_QUEUE, managerQueueProjection } from './manager-queue.projection';

describe('manager queue projection', () => {
  const h = harnessForSuite(managerQueueProjection);
  const { caseId, row } = caseRows(h, MANAGER_QUEUE, 'mq');

  it('RequestLogged: keeps what the queue shows about the request, and no personal data', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(outOfPolicyRequest())]), { caseId: id }));
    const r = await row(id);
    expect(r).toMatchObject({
      status: 'logged',
      customer_id: 'cus_81',
      product_sku: 'KTL-200',
      product_name: 'Electric kettle',
      product_category: 'small-appliances',
      amount_minor: 4990,
      currency: 'EUR',
      reason_code: 'changed_mind',
      version: 1,
    });
    expect(JSON.stringify(r)).not.toMatch(/Maria|maria@example|\+39|no longer need/);
  });

  it('Escalated: enters the queue with priority and deadline', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(outOfPolicyRequest()), ev.policyEvaluated(), ev.escalated({ priority: 'high' })]), { caseId: id }));
    const r = await row(id);
    expect(r).toMatchObject({ status: 'escalated', priority: 'high', priority_rank: 2, escalation_codes: ['return_window'], required_authority: 'manager', assignee: null });
    expect((r!.sla_due_at as Date).toISOString()).toBe(ev.escalated().data.slaDueAt);
    expect((r!.escalated_at as Date).toISOString()).toBe(ev.escalated().data.escalatedAt);
  });

  it('CaseAssigned: records who took the case', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.escalated(), ev.caseAssigned({ assignee: 'mgr-1' })]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'escalated', assignee: 'mgr-1' });
  });

  it('Decided: leaves the queue', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.escalated(), ev.decided()]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'decided' });
  });

  it('CaseClosed: leaves the queue, even undecided', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.escalated(), ev.caseClosed()]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'closed' });
  });

  it('gives the same rows when the same events are applied twice, in one batch or in two', async () => {
    const id = caseId();
    const events = recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.escalated(), ev.caseAssigned()]), { caseId: id });
    await h.apply(events);
    const once = await h.rows(MANAGER_QUEUE, 'case_id');
    await h.apply(events);
    await h.apply([...events, ...events]);
    expect(await h.rows(MANAGER_QUEUE, 'case_id')).toEqual(once);
  });

  it('never throws on odd data: a nonsense priority and deadline still give a queue row with a deadline', async () => {
    const id = caseId();
    const odd = recorded(
      [
        { type: 'RequestLogged', data: { product: 'not an object', amount: { minor: 'x' } } },
        { type: 'Escalated', data: { priority: 'whenever', slaDueAt: 'soon', reasonCodes: 'many' } },
        { type: 'CaseAssigned', data: { assignee: 42 } },
      ],
      { caseId: id },
    );
    await h.apply(odd);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'escalated', priority: 'normal', product_sku: null, amount_minor: null, escalation_codes: [], assignee: null });
    expect((r!.sla_due_at as Date).toISOString()).toBe(odd[1].recordedAt);
  });

  it('ignores events of other streams', async () => {
    const before = await h.rows(MANAGER_QUEUE, 'case_id');
    await h.apply(recorded([{ type: 'Escalated', data: { priority: 'urgent' } }], { streamId: 'refundPolicy-current' }));
    expect(await h.rows(MANAGER_QUEUE, 'case_id')).toEqual(before);
  });

  describe('appeals, four eyes and missed deadlines', () => {
    const iso = (r: Record<string, unknown> | undefined, key: string): string | null => {
      const value = r?.[key];
      return value instanceof Date ? value.toISOString() : ((value as string | null | undefined) ?? null);
    };
    const overturn = (o: Parameters<typeof ev.decided>[0] = {}) => {
      const { caseId: _caseId, ...decision } = ev.decided({ decidedBy: actors.secondManager.id, decidedAt: '2026-10-15T03:00:00.000Z', ...o }).data;
      return decision;
    };
    const apply = (id: string, events: Parameters<typeof asCaseEvents>[0]) => h.apply(recorded(asCaseEvents(events), { caseId: id }));

    it('Escalated: waits for a decision', async () => {
      const id = caseId();
      await apply(id, histories.escalated());
      expect(await row(id)).toMatchObject({ waiting_for: 'decision', decided_by: null });
    });

    it('DecisionAppealed: back in the queue as an appeal, with its priority, authority and deadline, naming the first decider', async () => {
      const id = caseId();
      const appeal = ev.decisionAppealed({ priority: 'high', requiredAuthority: 'senior_manager', slaDueAt: '2026-10-20T09:00:00.000Z' });
      await apply(id, [...histories.denied(), appeal]);
      const r = await row(id);
      expect(r).toMatchObject({
        status: 'decided',
        waiting_for: 'appeal',
        priority: 'high',
        priority_rank: 2,
        required_authority: 'senior_manager',
        appeal_first_decided_by: actors.manager.id,
        decided_by: actors.manager.id,
        decided_outcome: 'denied',
        sla_missed_at: null,
      });
      expect(iso(r, 'sla_due_at')).toBe('2026-10-20T09:00:00.000Z');
      expect(iso(r, 'waiting_since')).toBe(appeal.data.appealedAt);
    });

    it('AppealDecided: upheld or overturned, out of the queue', async () => {
      const upheld = caseId();
      await apply(upheld, [...histories.denied(), ev.decisionAppealed(), ev.appealDecided()]);
      expect(await row(upheld)).toMatchObject({ waiting_for: null, appeal_status: 'decided', decided_by: actors.manager.id });
      const overturned = caseId();
      await apply(overturned, [...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: overturn() })]);
      expect(await row(overturned)).toMatchObject({ waiting_for: null, decided_by: actors.secondManager.id, decided_outcome: 'refund', decided_minor: 4990 });
    });

    it('AppealDecided: an overturn above the four-eyes threshold waits for approval', async () => {
      const id = caseId();
      const decision = overturn({ amount: eur(150_000), fourEyes: { threshold: eur(100_000) }, authority: { level: 'manager', limit: eur(200_000), policyVersion: 1 } });
      await apply(id, [...histories.denied(), ev.decisionAppealed({ priority: 'urgent' }), ev.appealDecided({ verdict: 'overturned', decision })]);
      const r = await row(id);
      expect(r).toMatchObject({ waiting_for: 'approval', priority: 'urgent', required_authority: 'manager', decided_by: actors.secondManager.id, decided_minor: 150_000 });
      expect(iso(r, 'sla_due_at')).toBe('2026-10-15T03:00:00.000Z');
    });

    it('Decided with four eyes: waits for approval at the decider\'s authority, showing the decider and amount', async () => {
      const id = caseId();
      await apply(id, histories.awaitingApproval());
      const r = await row(id);
      expect(r).toMatchObject({
        status: 'decided',
        waiting_for: 'approval',
        approval: 'pending',
        required_authority: 'senior_manager',
        decided_by: actors.seniorManager.id,
        decided_minor: 150_000,
        decided_currency: 'EUR',
      });
      expect(iso(r, 'waiting_since')).toBe(ev.decided().data.decidedAt);
    });

    it('DecisionApproved: out of the queue', async () => {
      const id = caseId();
      await apply(id, [...histories.awaitingApproval(), ev.decisionApproved()]);
      expect(await row(id)).toMatchObject({ waiting_for: null, approval: 'approved' });
    });

    it('DecisionRejected: back to waiting for a decision, as escalated', async () => {
      const id = caseId();
      await apply(id, [...histories.awaitingApproval(), ev.decisionRejected()]);
      const r = await row(id);
      expect(r).toMatchObject({ status: 'escalated', waiting_for: 'decision', required_authority: 'senior_manager', decided_by: null, approval: null });
      expect(iso(r, 'sla_due_at')).toBe(ev.escalated().data.slaDueAt);
    });

    it('DecisionRejected of an overturn: the appeal waits again and the first decision is shown again', async () => {
      const id = caseId();
      const decision = overturn({ amount: eur(150_000), fourEyes: { threshold: eur(100_000) } });
      await apply(id, [
        ...histories.denied(),
        ev.decisionAppealed({ priority: 'high' }),
        ev.appealDecided({ verdict: 'overturned', decision }),
        ev.decisionRejected({ decidedBy: actors.secondManager.id }),
      ]);
      const r = await row(id);
      expect(r).toMatchObject({ status: 'decided', waiting_for: 'appeal', priority: 'high', decided_by: actors.manager.id, decided_outcome: 'denied', approval: null });
      expect(iso(r, 'sla_due_at')).toBe(ev.decisionAppealed().data.slaDueAt);
    });

    it('DeadlineMissed (decision_sla): priority and authority raised, marked missed, kept after a rejected decision', async () => {
      const id = caseId();
      const missed = ev.deadlineMissed({ deadline: 'decision_sla', raisedTo: { priority: 'urgent', requiredAuthority: 'senior_manager' } });
      await apply(id, [...histories.escalated(), missed]);
      const r = await row(id);
      expect(r).toMatchObject({ waiting_for: 'decision', priority: 'urgent', priority_rank: 3, required_authority: 'senior_manager' });
      expect(iso(r, 'sla_missed_at')).toBe(missed.data.missedAt);
      const again = caseId();
      await apply(again, [...histories.escalated(), missed, ev.decided({ fourEyes: { threshold: eur(1) } }), ev.decisionRejected()]);
      expect(await row(again)).toMatchObject({ waiting_for: 'decision', priority: 'urgent', required_authority: 'senior_manager' });
    });

    it('DeadlineMissed (appeal_sla): the appeal moves up; refund and follow-up misses do not touch the queue', async () => {
      const id = caseId();
      const missed = ev.deadlineMissed({ deadline: 'appeal_sla', raisedTo: { priority: 'high', requiredAuthority: 'senior_manager' } });
      await apply(id, [...histories.denied(), ev.decisionAppealed(), missed]);
      const r = await row(id);
      expect(r).toMatchObject({ waiting_for: 'appeal', priority: 'high', required_authority: 'senior_manager' });
      expect(iso(r, 'sla_missed_at')).toBe(missed.data.missedAt);
      const other = caseId();
      await apply(other, [...histories.escalated(), ev.deadlineMissed({ deadline: 'follow_up', raisedTo: null })]);
      expect(await row(other)).toMatchObject({ waiting_for: 'decision', priority: 'normal', sla_missed_at: null });
    });

    it('CaseClosed: out of the queue whatever it waited for', async () => {
      const id = caseId();
      await apply(id, [...histories.awaitingApproval(), ev.caseClosed()]);
      expect(await row(id)).toMatchObject({ status: 'closed', waiting_for: null });
    });
  });
});
