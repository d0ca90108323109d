import { events as ev } from '@refund-desk/domain/testing';
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
});
