import { eur, events as ev } from '@refund-desk/domain/testing';
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
});
