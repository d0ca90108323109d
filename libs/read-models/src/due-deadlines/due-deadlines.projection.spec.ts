import fc from 'fast-check';
// The model this projection must equal is the domain's own openDeadlines.
import { CaseEvent, evolve, initialCaseState, openDeadlines } from '@refund-desk/domain';
import { events as ev, eur, histories } from '@refund-desk/domain/testing';
import { asCaseEvents, caseRows, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { DUE_DEADLINES, dueDeadlinesProjection } from './due-deadlines.projection';
import { DueDeadlinesQuery } from './due-deadlines.query';

const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 300;

// A few due times shared by every kind of deadline, so that generated misses often hit one.
const TIMES = ['2026-10-16T09:00:00.000Z', '2026-10-20T09:00:00.000Z', '2026-10-29T09:00:00.000Z'] as const;
const DEADLINE_KINDS = ['decision_sla', 'appeal_sla', 'refund_settlement', 'follow_up'] as const;

const refundDue = (by: string, under: 'law' | 'policy' = 'law') => ({ by, under, source: null });
const fourEyes = { threshold: eur(100_000) };

interface Row {
  case_id: string;
  deadline: string;
  due: string;
  due_at: Date;
  missed_at: Date | null;
  amount_minor: number | null;
  currency: string | null;
  under: string | null;
}

const decisionArb = fc.record({
  outcome: fc.constantFrom('refund', 'denied', 'partial_refund'),
  followUpDueAt: fc.constantFrom(...TIMES),
  refundBy: fc.option(fc.constantFrom(...TIMES), { nil: undefined }),
  fourEyes: fc.boolean(),
  amount: fc.constantFrom(4_990, 150_000),
});
type DecisionChoice = typeof decisionArb extends fc.Arbitrary<infer T> ? T : never;

/** A decision as an overturning verdict carries it. */
const replacement = (o: Parameters<typeof ev.decided>[0]) => {
  const { caseId: _caseId, ...decision } = ev.decided(o).data;
  return decision;
};

const decisionData = (d: DecisionChoice) => ({
  outcome: d.outcome as 'refund',
  amount: d.outcome === 'denied' ? null : eur(d.amount),
  followUpDueAt: d.followUpDueAt,
  ...(d.refundBy && d.outcome !== 'denied' ? { refundDue: refundDue(d.refundBy) } : {}),
  ...(d.fourEyes ? { fourEyes } : {}),
});

/** Any event that touches deadlines, in any order: the projection must fold odd histories as the domain does. */
const eventArb: fc.Arbitrary<CaseEvent> = fc.oneof(
  fc.constant(ev.policyEvaluated()),
  fc.constantFrom(...TIMES).map((slaDueAt) => ev.escalated({ slaDueAt })),
  decisionArb.map((d) => ev.decided(decisionData(d))),
  fc.constant(ev.decisionApproved()),
  fc.constant(ev.decisionRejected()),
  fc.constantFrom(...TIMES).map((slaDueAt) => ev.decisionAppealed({ slaDueAt })),
  fc.option(decisionArb, { nil: null }).map((d) =>
    ev.appealDecided(d ? { verdict: 'overturned', decision: replacement(decisionData(d)) } : {}),
  ),
  fc.constant(ev.refundIssued()),
  fc.constant(ev.refundSettled()),
  fc.constant(ev.refundFailed()),
  fc.constant(ev.followedUp()),
  fc.record({ deadline: fc.constantFrom(...DEADLINE_KINDS), dueAt: fc.constantFrom(...TIMES) }).map((m) => ev.deadlineMissed({ ...m, raisedTo: null })),
  fc.constant(ev.caseClosed()),
  fc.constant(ev.caseAssigned()),
);

/**
 * Mostly the steps of a case in their order (some left out), with any other events put anywhere:
 * purely random sequences seldom reach an overturn that the second approver then rejects.
 */
const historyArb: fc.Arbitrary<CaseEvent[]> = fc
  .record({
    sla: fc.constantFrom(...TIMES),
    first: decisionArb,
    appealSla: fc.constantFrom(...TIMES),
    overturn: decisionArb,
    judge: fc.constantFrom(ev.decisionApproved(), ev.decisionRejected()),
  })
  .chain(({ sla, first, appealSla, overturn, judge }) =>
    fc.subarray([
      ev.policyEvaluated(),
      ev.escalated({ slaDueAt: sla }),
      ev.decided(decisionData(first)),
      judge,
      ev.decisionAppealed({ slaDueAt: appealSla }),
      ev.appealDecided({ verdict: 'overturned', decision: replacement(decisionData(overturn)) }),
      judge,
      ev.refundIssued(),
      ev.refundSettled(),
      ev.refundFailed(),
      ev.followedUp(),
    ]),
  )
  .chain((steps) =>
    fc.array(fc.tuple(fc.nat(), eventArb), { maxLength: 8 }).map((extras) => {
      const all: CaseEvent[] = [...steps];
      for (const [at, event] of extras) all.splice(at % (all.length + 1), 0, event);
      return all;
    }),
  );

describe('due deadlines projection', () => {
  const h = harnessForSuite(dueDeadlinesProjection);
  const { caseId } = caseRows(h, DUE_DEADLINES, 'dd');
  const rowsOf = async (id: string): Promise<Row[]> => (await h.rows<Row>(DUE_DEADLINES, 'case_id, deadline')).filter((r) => r.case_id === id);
  const apply = (id: string, events: readonly CaseEvent[], fromVersion = 1) => h.apply(recorded(asCaseEvents(events), { caseId: id, fromVersion }));
  const open = (rows: readonly Row[]) => rows.filter((r) => r.missed_at === null).map((r) => ({ deadline: r.deadline, dueAt: r.due }));

  it('Escalated: the decision deadline at the escalation slaDueAt', async () => {
    const id = caseId();
    await apply(id, histories.escalated({ slaDueAt: TIMES[0] }));
    expect(open(await rowsOf(id))).toEqual([{ deadline: 'decision_sla', dueAt: TIMES[0] }]);
  });

  it('Decided: the decision deadline goes; the refund (with amount, law or policy) and the follow-up start', async () => {
    const id = caseId();
    await apply(id, [...histories.escalated({ slaDueAt: TIMES[0] }), ev.decided({ followUpDueAt: TIMES[2], refundDue: refundDue(TIMES[1], 'policy') })]);
    const rows = await rowsOf(id);
    expect(open(rows)).toEqual([
      { deadline: 'follow_up', dueAt: TIMES[2] },
      { deadline: 'refund_settlement', dueAt: TIMES[1] },
    ]);
    expect(rows.find((r) => r.deadline === 'refund_settlement')).toMatchObject({ amount_minor: 4990, currency: 'EUR', under: 'policy' });
  });

  it('DecisionAppealed and AppealDecided: the appeal deadline runs until the verdict; an overturn replaces the decision deadlines', async () => {
    const id = caseId();
    const base = [...histories.denied({ followUpDueAt: TIMES[2] }), ev.decisionAppealed({ slaDueAt: TIMES[0] })];
    await apply(id, base);
    expect(open(await rowsOf(id))).toEqual([
      { deadline: 'appeal_sla', dueAt: TIMES[0] },
      { deadline: 'follow_up', dueAt: TIMES[2] },
    ]);
    const overturn = replacement({ followUpDueAt: TIMES[1], refundDue: refundDue(TIMES[1]) });
    await apply(id, [ev.appealDecided({ verdict: 'overturned', decision: overturn })], base.length + 1);
    expect(open(await rowsOf(id))).toEqual([
      { deadline: 'follow_up', dueAt: TIMES[1] },
      { deadline: 'refund_settlement', dueAt: TIMES[1] },
    ]);
  });

  it('DecisionRejected: the void decision takes its deadlines along and the escalation deadline is back', async () => {
    const id = caseId();
    await apply(id, [...histories.awaitingApproval({ refundDue: refundDue(TIMES[1]) }), ev.decisionRejected()]);
    expect(open(await rowsOf(id))).toEqual([{ deadline: 'decision_sla', dueAt: ev.escalated().data.slaDueAt }]);
  });

  it('RefundSettled, FollowedUp and CaseClosed drop their deadlines', async () => {
    const id = caseId();
    await apply(id, [...histories.decided({ followUpDueAt: TIMES[2], refundDue: refundDue(TIMES[1]) }), ev.refundIssued(), ev.refundSettled()]);
    expect(open(await rowsOf(id))).toEqual([{ deadline: 'follow_up', dueAt: TIMES[2] }]);
    await apply(id, [ev.followedUp()], 6);
    expect(await rowsOf(id)).toEqual([]);
    const other = caseId();
    await apply(other, [...histories.escalated(), ev.caseClosed()]);
    expect(await rowsOf(other)).toEqual([]);
  });

  it('DeadlineMissed: the row stays, marked missed; a missed refund is a late refund until it settles', async () => {
    const id = caseId();
    const decided = [...histories.decided({ followUpDueAt: TIMES[2], refundDue: refundDue(TIMES[0]) })];
    await apply(id, [...decided, ev.deadlineMissed({ deadline: 'refund_settlement', dueAt: TIMES[0], raisedTo: null, missedAt: '2026-10-16T09:05:00.000Z' })]);
    const query = new DueDeadlinesQuery(h.db);
    const late = (await query.lateRefunds({ limit: 50 })).items.filter((r) => r.caseId === id);
    expect(late).toEqual([
      { caseId: id, dueAt: TIMES[0], missedAt: '2026-10-16T09:05:00.000Z', amount: eur(4990), under: 'law', decidedAt: ev.decided().data.decidedAt },
    ]);
    const due = await query.due(new Date('2026-12-01T00:00:00.000Z'), 1000);
    expect(due.filter((d) => d.caseId === id)).toEqual([{ caseId: id, deadline: 'follow_up', dueAt: TIMES[2] }]);
    await apply(id, [ev.refundSettled()], decided.length + 2);
    expect((await query.lateRefunds({ limit: 50 })).items.filter((r) => r.caseId === id)).toEqual([]);
  });

  it('due(): only deadlines past by now, not yet missed, the oldest first, at most limit', async () => {
    const query = new DueDeadlinesQuery(h.db);
    const [a, b, c] = [caseId(), caseId(), caseId()];
    await apply(a, histories.escalated({ slaDueAt: '2020-01-02T00:00:00.000Z' }));
    await apply(b, histories.escalated({ slaDueAt: '2020-01-01T00:00:00.000Z' }));
    await apply(c, histories.escalated({ slaDueAt: '2020-01-03T00:00:00.000Z' }));
    const now = new Date('2020-01-02T00:00:00.000Z');
    expect(await query.due(now, 10)).toEqual([
      { caseId: b, deadline: 'decision_sla', dueAt: '2020-01-01T00:00:00.000Z' },
      { caseId: a, deadline: 'decision_sla', dueAt: '2020-01-02T00:00:00.000Z' },
    ]);
    expect(await query.due(now, 1)).toHaveLength(1);
  });

  it('lateRefunds pages by due time without overlap', async () => {
    const query = new DueDeadlinesQuery(h.db);
    for (let i = 0; i < 3; i += 1) {
      const id = caseId();
      const by = `2019-0${i + 1}-01T00:00:00.000Z`;
      await apply(id, [...histories.decided({ refundDue: refundDue(by) }), ev.deadlineMissed({ deadline: 'refund_settlement', dueAt: by, raisedTo: null })]);
    }
    const first = await query.lateRefunds({ limit: 2 });
    const second = await query.lateRefunds({ limit: 2, cursor: first.nextCursor! });
    const all = [...first.items, ...second.items].filter((r) => r.dueAt.startsWith('2019'));
    expect(all.map((r) => r.dueAt)).toEqual(['2019-01-01T00:00:00.000Z', '2019-02-01T00:00:00.000Z', '2019-03-01T00:00:00.000Z']);
  });

  it("matches the domain's openDeadlines for any history, in one batch or event by event, and marks only recorded misses", async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.integer({ min: 1, max: 4 }), async (tail, batch) => {
        const id = caseId();
        const events: CaseEvent[] = [ev.requestLogged(), ...tail];
        const stored = recorded(asCaseEvents(events), { caseId: id });
        for (let i = 0; i < stored.length; i += batch) await h.apply(stored.slice(i, i + batch));
        const rows = await rowsOf(id);
        const state = events.reduce(evolve, initialCaseState());
        const sorted = <T extends { deadline: string }>(list: readonly T[]) => [...list].sort((x, y) => x.deadline.localeCompare(y.deadline));
        expect(sorted(open(rows))).toEqual(sorted(openDeadlines(state)));
        const recordedMisses = state.status === 'none' ? [] : state.deadlinesMissed;
        for (const row of rows.filter((r) => r.missed_at !== null)) {
          expect(recordedMisses.some((m) => m.deadline === row.deadline && m.dueAt === row.due)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
