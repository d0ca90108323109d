import { CaseEvent } from '@refund-desk/domain';
import { actors, events as ev, histories, outOfPolicyRequest } from '@refund-desk/domain/testing';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { InsightsQuery } from './insights.query';
import { trendAnalyticsProjection } from './trend-analytics.projection';
import { TrendBucket, TrendsQuery } from './trends.query';

// The fixtures' events all happen in October 2026.
const FROM = new Date('2026-10-01T00:00:00.000Z');
const TO = new Date('2026-11-01T00:00:00.000Z');
const NOW = new Date('2026-11-15T00:00:00.000Z');

const overturn = (o: Parameters<typeof ev.decided>[0] = {}) => {
  const { caseId: _caseId, ...decision } = ev.decided({ decidedBy: actors.secondManager.id, ...o }).data;
  return decision;
};
const deniedBy = (decider: string, category = 'small-appliances'): CaseEvent[] => [
  ev.requestLogged(outOfPolicyRequest({ product: { category } })),
  ...histories.denied({ decidedBy: decider }).slice(1),
];

describe('trends and insights: appeals, overturns, four eyes and missed deadlines', () => {
  const h = harnessForSuite(trendAnalyticsProjection);

  beforeAll(async () => {
    const cases: Record<string, CaseEvent[]> = {
      // manager-marco: three decisions, two appealed, one overturned, one upheld.
      a: [...deniedBy(actors.manager.id), ev.decisionAppealed(), ev.appealDecided({ verdict: 'overturned', decision: overturn() })],
      b: [...deniedBy(actors.manager.id, 'electronics'), ev.decisionAppealed(), ev.appealDecided()],
      c: deniedBy(actors.manager.id),
      // manager-mia: one decision, appealed, no verdict yet.
      d: [...deniedBy(actors.secondManager.id), ev.decisionAppealed()],
      // four eyes: one approved, one rejected (void: not a decision any more).
      e: [...histories.awaitingApproval(), ev.decisionApproved()],
      f: [...histories.awaitingApproval(), ev.decisionRejected()],
      // a missed decision deadline.
      g: [...histories.escalated(), ev.deadlineMissed()],
    };
    for (const [id, events] of Object.entries(cases)) await h.apply(recorded(asCaseEvents(events), { caseId: `tq-${id}` }));
  });

  const month = async (groupBy?: 'decider' | 'category'): Promise<readonly TrendBucket[]> =>
    (await new TrendsQuery(h.db).trends({ from: FROM, to: TO, interval: 'month', groupBy }, NOW)).buckets;

  it('counts appeals, verdicts, four-eyes approvals and rejections and missed deadlines in the month they happened', async () => {
    const [bucket] = await month();
    expect(bucket).toMatchObject({ appeals: 3, upheld: 1, overturned: 1, overturnRate: 0.5, fourEyesApprovals: 1, fourEyesRejections: 1, deadlinesMissed: 1 });
    // Decisions in force: four denials and the approved refund; three of them appealed.
    expect(bucket.appealRate).toBeCloseTo(3 / 5, 6);
  });

  it('by decider: the appeal and overturn rates of each first decider', async () => {
    const byDecider = new Map((await month('decider')).map((b) => [b.group, b]));
    expect(byDecider.get(actors.manager.id)).toMatchObject({ appeals: 2, upheld: 1, overturned: 1, overturnRate: 0.5 });
    expect(byDecider.get(actors.manager.id)!.appealRate).toBeCloseTo(2 / 3, 6);
    expect(byDecider.get(actors.secondManager.id)).toMatchObject({ appeals: 1, appealRate: 1, upheld: 0, overturned: 0, overturnRate: null });
    expect(byDecider.get(actors.seniorManager.id)).toMatchObject({ appeals: 0, appealRate: 0, fourEyesApprovals: 1 });
  });

  it('the appeal_outcomes insight: rates by decider, category and reason', async () => {
    const insights = await new InsightsQuery(h.db).insights({ from: new Date('2026-01-01T00:00:00.000Z'), to: TO, interval: 'month', minCases: 1, nearMissDays: 7 });
    const finding = insights.findings.find((f) => f.kind === 'appeal_outcomes');
    expect(finding?.figures).toMatchObject({
      decisions: 5,
      appeals: 3,
      verdicts: 2,
      overturned: 1,
      appealRate: 0.6,
      overturnRate: 0.5,
      byDecider: [
        { decider: actors.manager.id, decisions: 3, appeals: 2, appealRate: 0.6667, verdicts: 2, overturned: 1, overturnRate: 0.5 },
        { decider: actors.secondManager.id, decisions: 1, appeals: 1, appealRate: 1, verdicts: 0, overturned: 0, overturnRate: null },
        { decider: actors.seniorManager.id, decisions: 1, appeals: 0, appealRate: 0, verdicts: 0, overturned: 0, overturnRate: null },
      ],
      byCategory: expect.arrayContaining([{ category: 'electronics', decisions: 1, appeals: 1, appealRate: 1, verdicts: 1, overturned: 0, overturnRate: 0 }]),
    });
  });
});
