import { events as ev, outOfPolicyRequest } from '@refund-desk/domain/testing';
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
});
