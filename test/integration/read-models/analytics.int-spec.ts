import { migrate, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { APPROVING_OUTCOMES, CaseEvent } from '@refund-desk/domain';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { InsightsQuery, READ_MODELS, rebuildReadModels, TrendBucket, TrendGrouping, TrendInterval, TrendsQuery } from '@refund-desk/read-models';
import { prepareReadModels } from '@refund-desk/read-models/testing';
import { appendLog, GeneratedCase, generateLog } from '../../support/generated-log';
import { describeWithPostgres, openTestSchema, untilAllVisible } from '../../support/postgres';

const HOUR = 3_600_000;
const NOW = new Date('2026-05-20T00:00:00.000Z');

/** The facts of a generated case, read straight off its domain events. */
function factsOf(c: GeneratedCase) {
  const find = <T extends CaseEvent['type']>(type: T) => c.events.find((e) => e.event.type === type)?.event as Extract<CaseEvent, { type: T }> | undefined;
  const logged = find('RequestLogged')!;
  const evaluated = find('PolicyEvaluated');
  const escalated = find('Escalated');
  const decided = find('Decided');
  const settled = find('RefundSettled');
  const followed = find('FollowedUp');
  const closed = find('CaseClosed');
  const appealed = find('DecisionAppealed');
  const verdict = find('AppealDecided');
  const window = evaluated?.data.findings.find((f) => f.rule === 'return_window');
  return {
    customerId: c.customerId,
    loggedAt: new Date(logged.data.loggedAt),
    groups: {
      reason: logged.data.reason.code,
      category: logged.data.product.category,
      outcome: decided?.data.outcome ?? null,
      channel: logged.data.channel,
      product: logged.data.product.sku,
      decider: decided?.data.decidedBy ?? null,
    } as Record<TrendGrouping, string | null>,
    currency: logged.data.amount.currency,
    amount: logged.data.amount.minor,
    escalatedAt: escalated ? new Date(escalated.data.escalatedAt) : null,
    slaDueAt: escalated ? new Date(escalated.data.slaDueAt) : null,
    decidedAt: decided ? new Date(decided.data.decidedAt) : null,
    outcome: decided?.data.outcome ?? null,
    decisionMinor: decided?.data.amount?.minor ?? null,
    decisionPolicy: decided?.data.authority.policyVersion ?? null,
    settledAt: settled ? new Date(settled.data.settledAt) : null,
    refunded: settled?.data.amount.minor ?? null,
    satisfaction: followed?.data.satisfaction ?? null,
    followedAt: followed ? new Date(followed.data.followedUpAt) : null,
    closedAt: closed ? new Date(closed.data.closedAt) : null,
    appealedAt: appealed ? new Date(appealed.data.appealedAt) : null,
    verdictAt: verdict ? new Date(verdict.data.decidedAt) : null,
    verdict: verdict?.data.verdict ?? null,
    daysOverWindow: (window?.inputs.daysOverWindow as number | undefined) ?? null,
    windowDays: (window?.inputs.windowDays as number | undefined) ?? null,
  };
}
type Facts = ReturnType<typeof factsOf>;

function bucketOf(at: Date, interval: TrendInterval): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), interval === 'month' ? 1 : at.getUTCDate()));
  if (interval === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString();
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)] + s[Math.ceil(mid)]) / 2;
};

/** The trends worked out by hand, one fact at a time. */
function expectedTrends(all: Facts[], from: Date, to: Date, interval: TrendInterval, groupBy?: TrendGrouping): Map<string, TrendBucket> {
  type Acc = { requests: number; escalations: number; approvals: number; denials: number; hours: number[]; breaches: number; sat: number[]; refunded: Map<string, number> };
  const acc = new Map<string, Acc & { appeals: number; appealedDecisions: number; upheld: number; overturned: number }>();
  const inRange = (at: Date | null): at is Date => at !== null && at >= from && at < to;
  const get = (at: Date, f: Facts) => {
    const key = JSON.stringify([bucketOf(at, interval), groupBy ? f.groups[groupBy] : null]);
    if (!acc.has(key)) {
      acc.set(key, { requests: 0, escalations: 0, approvals: 0, denials: 0, hours: [], breaches: 0, sat: [], refunded: new Map(), appeals: 0, appealedDecisions: 0, upheld: 0, overturned: 0 });
    }
    return acc.get(key)!;
  };
  for (const f of all) {
    if (inRange(f.loggedAt)) get(f.loggedAt, f).requests++;
    if (inRange(f.escalatedAt)) get(f.escalatedAt, f).escalations++;
    if (inRange(f.decidedAt)) {
      const b = get(f.decidedAt, f);
      if (f.outcome === 'denied') b.denials++;
      else b.approvals++;
      b.hours.push((f.decidedAt.getTime() - f.loggedAt.getTime()) / HOUR);
      if (f.appealedAt) b.appealedDecisions++;
    }
    if (inRange(f.appealedAt)) get(f.appealedAt, f).appeals++;
    if (inRange(f.verdictAt)) get(f.verdictAt, f)[f.verdict === 'overturned' ? 'overturned' : 'upheld']++;
    if (f.escalatedAt && inRange(f.slaDueAt) && f.slaDueAt < (f.decidedAt ?? f.closedAt ?? NOW)) get(f.slaDueAt, f).breaches++;
    if (inRange(f.settledAt)) {
      const r = get(f.settledAt, f).refunded;
      r.set(f.currency, (r.get(f.currency) ?? 0) + f.refunded!);
    }
    if (inRange(f.followedAt)) get(f.followedAt, f).sat.push(f.satisfaction!);
  }
  return new Map(
    [...acc].map(([key, b]) => {
      const [start, group] = JSON.parse(key) as [string, string | null];
      return [
        key,
        {
          start,
          ...(groupBy ? { group } : {}),
          requests: b.requests,
          escalations: b.escalations,
          approvals: b.approvals,
          denials: b.denials,
          approvalRate: b.approvals + b.denials > 0 ? b.approvals / (b.approvals + b.denials) : null,
          refunded: [...b.refunded].sort(([a], [c]) => a.localeCompare(c)).map(([currency, minor]) => ({ minor, currency })),
          medianHoursToDecision: median(b.hours),
          slaBreaches: b.breaches,
          averageSatisfaction: b.sat.length ? b.sat.reduce((x, y) => x + y, 0) / b.sat.length : null,
          appeals: b.appeals,
          appealRate: b.approvals + b.denials > 0 ? b.appealedDecisions / (b.approvals + b.denials) : null,
          upheld: b.upheld,
          overturned: b.overturned,
          overturnRate: b.upheld + b.overturned > 0 ? b.overturned / (b.upheld + b.overturned) : null,
          // The generated log has no decision above the four-eyes threshold and no scheduler.
          fourEyesApprovals: 0,
          fourEyesRejections: 0,
          deadlinesMissed: 0,
        },
      ];
    }),
  );
}

const close = (actual: number | null, expected: number | null): void => {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 6);
};

function analytics(open: () => Promise<{ db: SqlDatabase; dispose(): Promise<void> }>): void {
  let db: SqlDatabase;
  let dispose: () => Promise<void>;
  let facts: Facts[];
  let trends: TrendsQuery;
  let insights: InsightsQuery;
  const log = generateLog({ cases: 600, seed: 42, start: new Date('2026-01-05T00:00:00Z'), days: 120, customers: 150 });

  beforeAll(async () => {
    ({ db, dispose } = await open());
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    await appendLog(store, log, db.kind === 'postgres' ? 6 : 1);
    await untilAllVisible(db, store);
    const projections = READ_MODELS.map((readModel) => readModel.projection);
    await prepareReadModels(db, projections);
    await rebuildReadModels(db, store, projections, { batchSize: 700 });
    facts = log.cases.map(factsOf);
    trends = new TrendsQuery(db);
    insights = new InsightsQuery(db);
  }, 120_000);
  afterAll(() => dispose?.());

  it.each<[TrendInterval, TrendGrouping | undefined, string, string]>([
    ['day', undefined, '2026-02-01T00:00:00Z', '2026-02-15T00:00:00Z'],
    ['week', undefined, '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['month', 'reason', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['month', 'category', '2026-01-10T00:00:00Z', '2026-04-20T12:00:00Z'],
    ['week', 'outcome', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['month', 'channel', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['month', 'product', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['week', 'decider', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
  ])('trends by %s grouped by %s equal the figures worked out by hand', async (interval, groupBy, fromText, toText) => {
    const from = new Date(fromText);
    const to = new Date(toText);
    const result = await trends.trends({ from, to, interval, groupBy }, NOW);
    const expected = expectedTrends(facts, from, to, interval, groupBy);
    const nonEmpty = result.buckets.filter(
      (b) => b.requests + b.escalations + b.approvals + b.denials + b.slaBreaches + b.refunded.length + b.appeals + b.upheld + b.overturned > 0 || b.averageSatisfaction !== null,
    );
    expect(nonEmpty.length).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(2);
    for (const bucket of nonEmpty) {
      const want = expected.get(JSON.stringify([bucket.start, groupBy ? bucket.group : null]));
      expect(want).toBeDefined();
      const { approvalRate, medianHoursToDecision, averageSatisfaction, appealRate, overturnRate, ...counts } = bucket;
      const { approvalRate: rate, medianHoursToDecision: hours, averageSatisfaction: sat, appealRate: appealsRate, overturnRate: overturnsRate, ...wantCounts } = want!;
      expect(counts).toEqual(wantCounts);
      close(approvalRate, rate);
      close(appealRate, appealsRate);
      close(overturnRate, overturnsRate);
      close(medianHoursToDecision, hours);
      close(averageSatisfaction, sat);
    }
    if (!groupBy) {
      // Every bucket of the period is there, in order, empty ones too.
      const starts = result.buckets.map((b) => b.start);
      expect(starts).toEqual([...starts].sort());
      expect(new Set(starts).size).toBe(starts.length);
      expect(starts[0]).toBe(bucketOf(from, interval));
    }
  });

  it('finds the approval rate under each policy version, the cost of exceptions and the repeat requesters by hand too', async () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-06-01T00:00:00Z');
    const result = await insights.insights({ from, to, interval: 'month', minCases: 5, nearMissDays: 7 });
    const finding = (kind: string) => result.findings.find((f) => f.kind === kind);

    const versions = (finding('policy_revision_effect')!.figures.versions as Array<{ version: number; decisions: number; approvals: number; approvalRate: number | null }>);
    for (const v of [1, 2]) {
      const decided = facts.filter((f) => f.decisionPolicy === v);
      const approved = decided.filter((f) => APPROVING_OUTCOMES.includes(f.outcome!));
      expect(versions.find((x) => x.version === v)).toMatchObject({ decisions: decided.length, approvals: approved.length });
      expect(versions.find((x) => x.version === v)!.approvalRate).toBeCloseTo(approved.length / decided.length, 4);
    }

    const cost = finding('exception_cost')!.figures.periods as Array<{ start: string; currency: string; exceptionsDecided: number; cost: { minor: number } }>;
    const wantCost = new Map<string, { n: number; minor: number }>();
    for (const f of facts) {
      if (!f.escalatedAt || !f.decidedAt || f.decidedAt < from || f.decidedAt >= to) continue;
      const key = `${bucketOf(f.decidedAt, 'month')}|${f.currency}`;
      const entry = wantCost.get(key) ?? { n: 0, minor: 0 };
      entry.n += 1;
      if (APPROVING_OUTCOMES.includes(f.outcome!)) entry.minor += f.decisionMinor ?? f.amount;
      wantCost.set(key, entry);
    }
    expect(new Map(cost.map((p) => [`${p.start}|${p.currency}`, { n: p.exceptionsDecided, minor: p.cost.minor }]))).toEqual(wantCost);

    const perCustomer = new Map<string, number>();
    for (const f of facts) if (f.loggedAt >= from && f.loggedAt < to) perCustomer.set(f.customerId, (perCustomer.get(f.customerId) ?? 0) + 1);
    const repeaters = [...perCustomer].filter(([, n]) => n > 3);
    const figures = finding('repeat_requesters')?.figures.customers as Array<{ customerId: string; cases: number }> | undefined;
    // The 50 with the most cases, each with its own count.
    const served = figures ?? [];
    expect(repeaters.length).toBeGreaterThan(0);
    expect(served.length).toBe(Math.min(50, repeaters.length));
    for (const c of served) expect(c.cases).toBe(perCustomer.get(c.customerId));
    expect(served.map((c) => c.cases)).toEqual([...served.map((c) => c.cases)].sort((a, b) => b - a));
    const left = repeaters.filter(([id]) => !served.some((c) => c.customerId === id)).map(([, n]) => n);
    expect(Math.max(0, ...left)).toBeLessThanOrEqual(Math.min(...served.map((c) => c.cases)));

    const appealOutcomes = finding('appeal_outcomes')!.figures as { appeals: number; byDecider: Array<{ decider: string; decisions: number; appeals: number; verdicts: number; overturned: number }> };
    const wantByDecider = new Map<string, { decisions: number; appeals: number; verdicts: number; overturned: number }>();
    for (const f of facts) {
      if (!f.decidedAt || !f.groups.decider || f.loggedAt < from || f.loggedAt >= to) continue;
      const entry = wantByDecider.get(f.groups.decider) ?? { decisions: 0, appeals: 0, verdicts: 0, overturned: 0 };
      entry.decisions += 1;
      if (f.appealedAt) entry.appeals += 1;
      if (f.verdict) entry.verdicts += 1;
      if (f.verdict === 'overturned') entry.overturned += 1;
      wantByDecider.set(f.groups.decider, entry);
    }
    expect(appealOutcomes.appeals).toBeGreaterThan(10);
    expect(new Map(appealOutcomes.byDecider.map(({ decider, decisions, appeals, verdicts, overturned }) => [decider, { decisions, appeals, verdicts, overturned }]))).toEqual(wantByDecider);

    const byCategory = new Map<string, { exceptions: number; near: number }>();
    for (const f of facts) {
      if (!f.escalatedAt || f.loggedAt < from || f.loggedAt >= to) continue;
      const entry = byCategory.get(f.groups.category!) ?? { exceptions: 0, near: 0 };
      entry.exceptions += 1;
      if (f.daysOverWindow !== null && f.daysOverWindow > 0 && f.daysOverWindow < 7) entry.near += 1;
      byCategory.set(f.groups.category!, entry);
    }
    const nearMisses = result.findings.filter((f) => f.kind === 'window_near_miss').map((f) => [f.figures.category, f.figures.exceptions, f.figures.nearMisses]);
    const wantNear = [...byCategory].filter(([, e]) => e.exceptions >= 5 && e.near * 2 > e.exceptions).map(([c, e]) => [c, e.exceptions, e.near]);
    expect(new Set(nearMisses.map((x) => JSON.stringify(x)))).toEqual(new Set(wantNear.map((x) => JSON.stringify(x))));
  });
}

describe('trends and insights on embedded PGlite', () =>
  analytics(async () => {
    const db = await PgliteDatabase.open();
    return { db, dispose: () => db.close() };
  }));

describeWithPostgres('trends and insights on PostgreSQL', () =>
  analytics(async () => {
    const schema = await openTestSchema('analytics');
    return { db: schema.db, dispose: schema.drop };
  }));
