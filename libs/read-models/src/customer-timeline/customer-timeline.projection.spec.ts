import { PgliteDatabase } from '@refund-desk/database';
import { CASE_EVENT_TYPES, CaseEvent } from '@refund-desk/domain';
import { eur, events as ev, histories, outOfPolicyRequest } from '@refund-desk/domain/testing';
import { prepareReadModels } from '../projection-runtime/generations';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { CUSTOMER_TIMELINE, customerTimelineProjection } from './customer-timeline.projection';
import { CustomerTimelineQuery } from './customer-timeline.query';

/** One event of each type the timeline handles, with the personal data it may carry. */
const ONE_OF_EACH: Record<(typeof CASE_EVENT_TYPES)[number], CaseEvent> = {
  RequestLogged: ev.requestLogged(outOfPolicyRequest({ reason: { description: 'Maria says it broke' } })),
  NoteAdded: ev.noteAdded({ text: 'Maria called from +39 055 0000' }),
  PolicyEvaluated: ev.policyEvaluated(),
  Escalated: ev.escalated(),
  CaseAssigned: ev.caseAssigned(),
  Decided: ev.decided(),
  CustomerNotified: ev.customerNotified({ subject: 'Gentile Maria Rossi', body: 'Cara Maria, …' }),
  RefundIssued: ev.refundIssued(),
  RefundSettled: ev.refundSettled(),
  RefundFailed: ev.refundFailed(),
  FollowedUp: ev.followedUp({ comment: 'Maria is happy' }),
  CaseClosed: ev.caseClosed(),
  CustomerDataErased: ev.customerDataErased(),
  DecisionApproved: ev.decisionApproved({ note: 'Maria showed the receipt' }),
  DecisionRejected: ev.decisionRejected({ reason: 'Maria used it for a year' }),
  DecisionAppealed: ev.decisionAppealed({ reason: 'Maria says it was faulty from the start' }),
  AppealDecided: ev.appealDecided({ rationale: 'Maria sent photos' }),
  DeadlineMissed: ev.deadlineMissed(),
};

describe('customer timeline projection', () => {
  const h = harnessForSuite(customerTimelineProjection);
  let n = 0;
  const caseId = (): string => `tl-${++n}`;
  const entries = async (id: string): Promise<Record<string, any>[]> =>
    (await h.rows(CUSTOMER_TIMELINE, 'position')).filter((r) => r.case_id === id);

  it.each(CASE_EVENT_TYPES)('%s: one entry for the customer, with no personal data', async (type) => {
    const id = caseId();
    const [event] = recorded(asCaseEvents([ONE_OF_EACH[type]]), { caseId: id, fromVersion: type === 'RequestLogged' ? 1 : 5 });
    await h.apply([event]);
    const [entry, ...more] = await entries(id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ event_id: event.eventId, customer_id: 'cus_81', type, position: event.position, version: event.version, actor: 'tester' });
    expect(JSON.stringify(entry.data)).not.toMatch(/Maria|maria@example|\+39/);
    expect(entry.data.caseId).toBe(id);
  });

  it('keeps what is not personal data of the request', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ONE_OF_EACH.RequestLogged]), { caseId: id }));
    const [entry] = await entries(id);
    expect(entry.data).toMatchObject({
      customer: { id: 'cus_81', name: null, email: null, phone: null, locale: 'it' },
      reason: { code: 'changed_mind', description: null },
      product: { sku: 'KTL-200' },
    });
  });

  it('finds the customer of an event without it in its metadata from the case’s earlier entries', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged()]), { caseId: id }));
    await h.apply(recorded(asCaseEvents([ev.noteAdded()]), { caseId: id, customerId: null, fromVersion: 2 }));
    expect((await entries(id)).map((e) => [e.type, e.customer_id])).toEqual([['RequestLogged', 'cus_81'], ['NoteAdded', 'cus_81']]);
  });

  it('gives the same rows when the same events are applied twice', async () => {
    const events = recorded(asCaseEvents(Object.values(ONE_OF_EACH)), { caseId: caseId() });
    await h.apply(events);
    const once = await h.rows(CUSTOMER_TIMELINE, 'position');
    await h.apply(events);
    await h.apply([...events, ...events]);
    expect(await h.rows(CUSTOMER_TIMELINE, 'position')).toEqual(once);
  });

  it('never throws on odd data: an event without a known customer is left out', async () => {
    const before = await h.rows(CUSTOMER_TIMELINE, 'position');
    await h.apply(recorded([{ type: 'NoteAdded', data: { text: 5 } }], { caseId: caseId(), customerId: null, fromVersion: 3 }));
    expect(await h.rows(CUSTOMER_TIMELINE, 'position')).toEqual(before);
  });

  it('keeps writing to, and answering from, a generation made while data was jsonb', async () => {
    const db = await PgliteDatabase.open();
    try {
      await db.query(`CREATE TABLE ${CUSTOMER_TIMELINE}_g1 (event_id text PRIMARY KEY, position bigint NOT NULL,
        customer_id text NOT NULL, case_id text NOT NULL, version integer NOT NULL, type text NOT NULL,
        occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL, actor text, data jsonb NOT NULL)`);
      const projection = customerTimelineProjection;
      await prepareReadModels(db, [projection]);
      const events = recorded(asCaseEvents([ev.requestLogged(), ev.decided(), ev.refundSettled()]), { caseId: caseId() });
      await db.transaction((tx) => projection.apply(events, tx, { [CUSTOMER_TIMELINE]: `${CUSTOMER_TIMELINE}_g1` }));
      const { rows } = await db.query<{ type: string }>(`SELECT data_type AS type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'data'`, [`${CUSTOMER_TIMELINE}_g1`]);
      expect(rows).toEqual([{ type: 'jsonb' }]);
      const timeline = await new CustomerTimelineQuery(db).timeline('cus_81', { limit: 10 });
      expect(timeline.items.map((e) => e.type)).toEqual(['RequestLogged', 'Decided', 'RefundSettled']);
      expect(timeline.summary).toEqual({ cases: 1, approved: 1, denied: 0, refunded: [{ minor: 4990, currency: 'EUR' }] });
    } finally {
      await db.close();
    }
  });

  it('answers the summary from the json data of a generation made now', async () => {
    const id = caseId();
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.decided(), ev.refundSettled()]), { caseId: id, customerId: 'cus_json' }));
    const timeline = await new CustomerTimelineQuery(h.db).timeline('cus_json', { limit: 10 });
    expect(timeline.summary).toEqual({ cases: 1, approved: 1, denied: 0, refunded: [{ minor: 4990, currency: 'EUR' }] });
  });

  it('counts each case by the decision in force: an overturn replaces a denial, a rejected decision counts as the one before it', async () => {
    const { caseId: _caseId, ...refund } = ev.decided({ outcome: 'refund' }).data;
    const { caseId: _id, ...heldRefund } = ev.decided({ outcome: 'refund', fourEyes: { threshold: eur(1) } }).data;
    const cases = {
      overturned: [...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: refund })],
      upheld: [...histories.denied(), ev.decisionAppealed(), ev.appealDecided()],
      voidOverturn: [...histories.denied(), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: heldRefund }), ev.decisionRejected()],
      voidDecision: [...histories.awaitingApproval(), ev.decisionRejected()],
    };
    for (const [name, events] of Object.entries(cases)) {
      await h.apply(recorded(asCaseEvents(events), { caseId: `${caseId()}-${name}`, customerId: 'cus_appeals' }));
    }
    const timeline = await new CustomerTimelineQuery(h.db).timeline('cus_appeals', { limit: 100 });
    expect(timeline.summary).toEqual({ cases: 4, approved: 1, denied: 2, refunded: [] });
    expect(timeline.items.filter((e) => e.type === 'AppealDecided')).toHaveLength(3);
  });
});
