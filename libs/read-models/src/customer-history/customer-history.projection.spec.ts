import { eur, events as ev, histories } from '@refund-desk/domain/testing';
import { asCaseEvents, caseRows, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { CUSTOMER_HISTORY, customerHistoryProjection } from './customer-history.projection';

describe('customer history projection', () => {
  const h = harnessForSuite(customerHistoryProjection);
  const { caseId, row } = caseRows(h, CUSTOMER_HISTORY, 'ch');

  it('RequestLogged: one row per case with the customer and when it was logged', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged()]), { caseId: id }));
    const r = await row(id);
    expect(r).toMatchObject({ customer_id: 'cus_81', currency: 'EUR', outcome: null, refunded_minor: 0 });
    expect((r!.logged_at as Date).toISOString()).toBe(ev.requestLogged().data.loggedAt);
  });

  it('Decided: records the outcome', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided({ outcome: 'denied', amount: null })]), { caseId: id }));
    expect(await row(id)).toMatchObject({ outcome: 'denied' });
  });

  it('RefundSettled: records what was refunded', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided(), ev.refundIssued(), ev.refundSettled({ amount: eur(4990) })]), { caseId: id }));
    expect(await row(id)).toMatchObject({ outcome: 'refund', refunded_minor: 4990 });
  });

  it('gives the same rows when the same events are applied twice', async () => {
    const events = recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided(), ev.refundIssued(), ev.refundSettled()]), { caseId: caseId() });
    await h.apply(events);
    const once = await h.rows(CUSTOMER_HISTORY, 'case_id');
    await h.apply(events);
    expect(await h.rows(CUSTOMER_HISTORY, 'case_id')).toEqual(once);
  });

  it('AppealDecided: an overturn is the outcome that counts; an upheld decision stays', async () => {
    const { caseId: _caseId, ...refund } = ev.decided({ outcome: 'refund' }).data;
    const overturned = caseId();
    await h.apply(recorded(asCaseEvents([...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: refund })]), { caseId: overturned }));
    expect(await row(overturned)).toMatchObject({ outcome: 'refund' });
    const upheld = caseId();
    await h.apply(recorded(asCaseEvents([...histories.denied(), ev.decisionAppealed(), ev.appealDecided()]), { caseId: upheld }));
    expect(await row(upheld)).toMatchObject({ outcome: 'denied' });
  });

  it('DecisionRejected: a void decision counts as none, a void overturn as the decision it replaced; an approved one stays', async () => {
    const rejected = caseId();
    await h.apply(recorded(asCaseEvents([...histories.awaitingApproval(), ev.decisionRejected()]), { caseId: rejected }));
    expect(await row(rejected)).toMatchObject({ outcome: null });
    const { caseId: _caseId, ...refund } = ev.decided({ outcome: 'refund', fourEyes: { threshold: eur(1) } }).data;
    const overturn = caseId();
    await h.apply(
      recorded(asCaseEvents([...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: refund }), ev.decisionRejected()]), {
        caseId: overturn,
      }),
    );
    expect(await row(overturn)).toMatchObject({ outcome: 'denied' });
    const approved = caseId();
    await h.apply(recorded(asCaseEvents([...histories.awaitingApproval(), ev.decisionApproved(), ev.decisionRejected()]), { caseId: approved }));
    expect(await row(approved)).toMatchObject({ outcome: 'refund' });
  });
});
