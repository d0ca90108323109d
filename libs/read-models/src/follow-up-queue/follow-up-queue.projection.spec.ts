import { eur, events as ev, histories } from '@refund-desk/domain/testing';
import { asCaseEvents, caseRows, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { FOLLOW_UP_QUEUE, followUpQueueProjection } from './follow-up-queue.projection';

describe('follow-up queue projection', () => {
  const h = harnessForSuite(followUpQueueProjection);
  const { caseId, row } = caseRows(h, FOLLOW_UP_QUEUE, 'fu');

  it('RequestLogged: notes the channel and language to reach the customer; not yet awaiting', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged()]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'open', channel: 'email', locale: 'it', customer_id: 'cus_81', follow_up_due_at: null });
  });

  it('Decided: awaits follow-up from the due time the policy gave the decision', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided({ outcome: 'store_credit' })]), { caseId: id }));
    const r = await row(id);
    expect(r).toMatchObject({ status: 'awaiting', outcome: 'store_credit' });
    expect((r!.follow_up_due_at as Date).toISOString()).toBe(ev.decided().data.followUpDueAt);
    expect((r!.decided_at as Date).toISOString()).toBe(ev.decided().data.decidedAt);
  });

  it('FollowedUp: no longer awaiting', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided(), ev.followedUp()]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'followed_up' });
  });

  it('CaseClosed: a closed case cannot be followed up any more', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided(), ev.caseClosed()]), { caseId: id }));
    expect(await row(id)).toMatchObject({ status: 'closed' });
  });

  it('gives the same rows when the same events are applied twice', async () => {
    const events = recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided()]), { caseId: caseId() });
    await h.apply(events);
    const once = await h.rows(FOLLOW_UP_QUEUE, 'case_id');
    await h.apply(events);
    expect(await h.rows(FOLLOW_UP_QUEUE, 'case_id')).toEqual(once);
  });

  it('never throws on odd data: a decision without times is due when recorded', async () => {
    const id = caseId();
    const odd = recorded([{ type: 'RequestLogged', data: { customer: null } }, { type: 'Decided', data: { decidedAt: 7, followUpDueAt: 'later' } }], { caseId: id });
    await h.apply(odd);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'awaiting', outcome: null, locale: null });
    expect((r!.follow_up_due_at as Date).toISOString()).toBe(odd[1].recordedAt);
  });

  describe('appeals, four eyes and missed deadlines', () => {
    const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : null);
    const apply = (id: string, events: Parameters<typeof asCaseEvents>[0]) => h.apply(recorded(asCaseEvents(events), { caseId: id }));
    const NEW_DUE = '2026-11-30T09:00:00.000Z';
    const overturn = (o: Parameters<typeof ev.decided>[0] = {}) => {
      const { caseId: _caseId, ...decision } = ev.decided({ outcome: 'refund', followUpDueAt: NEW_DUE, decidedAt: '2026-10-23T09:00:00.000Z', ...o }).data;
      return decision;
    };

    it("AppealDecided overturned: the follow-up moves to the new decision's due time; upheld: it stays", async () => {
      const id = caseId();
      await apply(id, [...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: overturn() })]);
      const r = await row(id);
      expect(r).toMatchObject({ status: 'awaiting', outcome: 'refund' });
      expect([iso(r!.follow_up_due_at), iso(r!.decided_at)]).toEqual([NEW_DUE, '2026-10-23T09:00:00.000Z']);
      const upheld = caseId();
      await apply(upheld, [...histories.denied(), ev.decisionAppealed(), ev.appealDecided()]);
      expect(iso((await row(upheld))!.follow_up_due_at)).toBe(ev.decided().data.followUpDueAt);
    });

    it('DecisionRejected: a void first decision is not followed up; a void overturn brings back the first follow-up', async () => {
      const id = caseId();
      await apply(id, [...histories.awaitingApproval(), ev.decisionRejected()]);
      expect(await row(id)).toMatchObject({ status: 'open', follow_up_due_at: null, outcome: null });
      const again = caseId();
      await apply(again, [
        ...histories.denied(),
        ev.decisionAppealed(),
        ev.appealDecided({ verdict: 'overturned', decision: overturn({ fourEyes: { threshold: eur(1) } }) }),
        ev.decisionRejected(),
      ]);
      const r = await row(again);
      expect(r).toMatchObject({ status: 'awaiting', outcome: 'denied' });
      expect(iso(r!.follow_up_due_at)).toBe(ev.decided().data.followUpDueAt);
    });

    it('DecisionApproved: an approved decision is followed up as decided, and a later rejection changes nothing', async () => {
      const id = caseId();
      await apply(id, [...histories.awaitingApproval(), ev.decisionApproved(), ev.decisionRejected()]);
      expect(await row(id)).toMatchObject({ status: 'awaiting', outcome: 'refund', pending_approval: false });
    });

    it('DeadlineMissed (follow_up): marks the entry overdue; a miss of another deadline or due time does not', async () => {
      const id = caseId();
      const due = ev.decided().data.followUpDueAt;
      await apply(id, [
        ...histories.decided(),
        ev.deadlineMissed({ deadline: 'refund_settlement', dueAt: due, raisedTo: null }),
        ev.deadlineMissed({ deadline: 'follow_up', dueAt: '2020-01-01T00:00:00.000Z', raisedTo: null }),
      ]);
      expect(await row(id)).toMatchObject({ follow_up_missed_at: null });
      await h.apply(recorded(asCaseEvents([ev.deadlineMissed({ deadline: 'follow_up', dueAt: due, raisedTo: null, missedAt: '2026-10-22T10:00:00.000Z' })]), { caseId: id, fromVersion: 6 }));
      expect(iso((await row(id))!.follow_up_missed_at)).toBe('2026-10-22T10:00:00.000Z');
    });
  });
});
