import { CaseEvent } from '@refund-desk/domain';
import { events as ev, sampleRequest } from '@refund-desk/domain/testing';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { InsightsQuery } from './insights.query';
import { trendAnalyticsProjection } from './trend-analytics.projection';

const DAY = 86_400_000;
const FROM = new Date('2026-03-01T00:00:00.000Z');
const TO = new Date('2026-03-31T00:00:00.000Z');
const day = (n: number): string => new Date(FROM.getTime() + n * DAY).toISOString();

describe('insights query', () => {
  const h = harnessForSuite(trendAnalyticsProjection);
  let query: InsightsQuery;
  let n = 0;

  /** A request logged on `loggedDay`; escalated when `daysOverWindow` is given. */
  const logCase = async (o: { category: string; sku: string; reason: string; loggedDay: number; daysOverWindow?: number }): Promise<void> => {
    const request = sampleRequest({ product: { category: o.category, sku: o.sku }, reason: { code: o.reason } });
    const events: CaseEvent[] = [ev.requestLogged(request, { loggedAt: day(o.loggedDay) })];
    if (o.daysOverWindow !== undefined) {
      const window = { rule: 'return_window', result: 'fail', detail: '', inputs: { windowDays: 30, daysOverWindow: o.daysOverWindow } };
      events.push(ev.policyEvaluated({ withinPolicy: false, findings: [window as never] }), ev.escalated({ escalatedAt: day(o.loggedDay) }));
    }
    await h.apply(recorded(asCaseEvents(events), { caseId: `in-${++n}` }));
  };
  const run = () => query.insights({ from: FROM, to: TO, interval: 'month', minCases: 3, nearMissDays: 7 });

  beforeAll(async () => {
    query = new InsightsQuery(h.db);
    // Home goods: 4 exceptions, 3 of them missed the window by under 7 days.
    for (const over of [1, 3, 6, 20]) await logCase({ category: 'home', sku: 'LAMP', reason: 'changed_mind', loggedDay: 2, daysOverWindow: over });
    // Toys: 4 exceptions, only one near miss.
    for (const over of [2, 9, 12, 30]) await logCase({ category: 'toys', sku: 'BALL', reason: 'changed_mind', loggedDay: 2, daysOverWindow: over });
    // Kettle defect claims: 1 in the first half, 4 in the second; the phone stays flat at 3 and 3.
    await logCase({ category: 'small-appliances', sku: 'KTL', reason: 'defective', loggedDay: 3 });
    for (const d of [16, 20, 25, 29]) await logCase({ category: 'small-appliances', sku: 'KTL', reason: 'defective', loggedDay: d });
    for (const d of [1, 5, 9, 17, 21, 28]) await logCase({ category: 'electronics', sku: 'PHONE', reason: 'defective', loggedDay: d });
  });

  it('names a category whose exceptions mostly missed the window by a few days, with the figures', async () => {
    const found = (await run()).findings.filter((f) => f.kind === 'window_near_miss');
    expect(found).toEqual([
      expect.objectContaining({ figures: { category: 'home', exceptions: 4, nearMisses: 3, share: 0.75, windowDays: 30, nearMissDays: 7 } }),
    ]);
  });

  it('names a product whose defect claims are rising, and not one whose claims are flat', async () => {
    const found = (await run()).findings.filter((f) => f.kind === 'rising_defect_claims');
    expect(found).toHaveLength(1);
    expect(found[0].figures).toMatchObject({ sku: 'KTL', earlier: { defectClaims: 1 }, later: { defectClaims: 4 }, change: 3 });
  });

  it('leaves out findings below minCases', async () => {
    const result = await query.insights({ from: FROM, to: TO, interval: 'month', minCases: 5, nearMissDays: 7 });
    expect(result.findings.filter((f) => f.kind === 'window_near_miss' || f.kind === 'rising_defect_claims')).toEqual([]);
  });
});
