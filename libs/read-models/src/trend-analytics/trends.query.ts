import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { APPROVING_OUTCOMES, InvalidCommandError, Money } from '@refund-desk/domain';
import { CASE_FACTS } from './trend-analytics.projection';

export const TREND_INTERVALS = ['day', 'week', 'month'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];
export const TREND_GROUPINGS = ['reason', 'category', 'outcome', 'channel', 'product', 'decider'] as const;
export type TrendGrouping = (typeof TREND_GROUPINGS)[number];

const GROUP_COLUMN: Record<TrendGrouping, string> = {
  reason: 'reason_code',
  category: 'category',
  outcome: 'outcome',
  channel: 'channel',
  product: 'product_sku',
  // Who took the first-instance decision in force: appeal and overturn rates per decider.
  decider: 'first_decided_by',
};

export const MAX_TREND_BUCKETS = 1_000;

export interface TrendQuery {
  readonly from: Date;
  readonly to: Date;
  readonly interval: TrendInterval;
  readonly groupBy?: TrendGrouping;
}

export interface TrendBucket {
  /** Start of the bucket (UTC; weeks start on Monday). */
  readonly start: string;
  /** The group's value when grouped; null for cases without one (e.g. no outcome yet). */
  readonly group?: string | null;
  readonly requests: number;
  readonly escalations: number;
  readonly approvals: number;
  readonly denials: number;
  /** approvals / (approvals + denials); null without decisions. */
  readonly approvalRate: number | null;
  /** Refunds settled in the bucket, per currency. */
  readonly refunded: readonly Money[];
  /** Median of (decidedAt − loggedAt) in hours over the bucket's decisions. */
  readonly medianHoursToDecision: number | null;
  readonly slaBreaches: number;
  readonly averageSatisfaction: number | null;
  /** Decisions appealed, counted when appealed. */
  readonly appeals: number;
  /** Of the bucket's decisions, the share appealed so far; null without decisions. */
  readonly appealRate: number | null;
  /** Appeal verdicts given in the bucket. */
  readonly upheld: number;
  readonly overturned: number;
  /** overturned / (upheld + overturned); null without verdicts. */
  readonly overturnRate: number | null;
  /** Decisions above the four-eyes threshold approved, and rejected, by a second person in the bucket. */
  readonly fourEyesApprovals: number;
  readonly fourEyesRejections: number;
  /** Deadlines the scheduler recorded as missed in the bucket (decisions, appeals, refunds, follow-ups). */
  readonly deadlinesMissed: number;
}

export interface Trends {
  readonly from: string;
  readonly to: string;
  readonly interval: TrendInterval;
  readonly groupBy: TrendGrouping | null;
  readonly buckets: readonly TrendBucket[];
}

interface MetricRow {
  bucket: string;
  grp: string | null;
  requests: number;
  escalations: number;
  approvals: number;
  denials: number;
  median_hours: number | null;
  breaches: number;
  avg_satisfaction: number | null;
  decisions: number;
  appealed_decisions: number;
  appeals: number;
  upheld: number;
  overturned: number;
  four_eyes_approvals: number;
  four_eyes_rejections: number;
  deadlines_missed: number;
}

const emptyMetrics = (bucket: string, grp: string | null): MetricRow => ({
  bucket,
  grp,
  requests: 0,
  escalations: 0,
  approvals: 0,
  denials: 0,
  median_hours: null,
  breaches: 0,
  avg_satisfaction: null,
  decisions: 0,
  appealed_decisions: 0,
  appeals: 0,
  upheld: 0,
  overturned: 0,
  four_eyes_approvals: 0,
  four_eyes_rejections: 0,
  deadlines_missed: 0,
});

interface RefundRow {
  bucket: string;
  grp: string | null;
  currency: string;
  minor: string;
}

const BUCKET = (column: string): string =>
  `to_char(date_trunc($3::text, ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The starts of every bucket that overlaps [from, to), in UTC. */
export function bucketStarts(from: Date, to: Date, interval: TrendInterval): Date[] {
  const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), interval === 'month' ? 1 : from.getUTCDate()));
  if (interval === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  const starts: Date[] = [];
  for (const at = start; at < to && starts.length <= MAX_TREND_BUCKETS; ) {
    starts.push(new Date(at));
    if (interval === 'month') at.setUTCMonth(at.getUTCMonth() + 1);
    else at.setUTCDate(at.getUTCDate() + (interval === 'week' ? 7 : 1));
  }
  return starts;
}

/**
 * Each figure falls in the bucket of the moment it happened: a request when logged, an
 * escalation when escalated, approvals, denials and time to decision when decided, a refund when
 * settled, satisfaction when asked, and an SLA breach at the deadline that was missed (decided,
 * closed or still open after it), an appeal when appealed and a verdict when given (the appeal
 * rate is of the bucket's decisions), four-eyes approvals and rejections and missed deadlines when
 * recorded. `now` decides which open escalations have breached already.
 */
@Injectable()
export class TrendsQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async trends(query: TrendQuery, now: Date): Promise<Trends> {
    const { from, to, interval, groupBy } = query;
    if (!(from < to)) throw new InvalidCommandError('from must be before to', 'from');
    const spine = bucketStarts(from, to, interval);
    if (spine.length > MAX_TREND_BUCKETS) {
      throw new InvalidCommandError(`at most ${MAX_TREND_BUCKETS} buckets: shorten the period or use a longer interval`, 'interval');
    }
    const group = groupBy ? GROUP_COLUMN[groupBy] : 'NULL::text';
    const inRange = (column: string): string => `${column} >= $1::timestamptz AND ${column} < $2::timestamptz`;
    const params = [from.toISOString(), to.toISOString(), interval, APPROVING_OUTCOMES, now.toISOString()];
    const [metrics, refunds] = await Promise.all([
      this.db.query<MetricRow>(
        `WITH facts AS (SELECT *, ${group} AS grp FROM ${CASE_FACTS}),
         happened AS (
           SELECT ${BUCKET('logged_at')} AS bucket, grp, 'request' AS kind, NULL::float8 AS x FROM facts WHERE ${inRange('logged_at')}
           UNION ALL
           SELECT ${BUCKET('escalated_at')}, grp, 'escalation', NULL FROM facts WHERE ${inRange('escalated_at')}
           UNION ALL
           SELECT ${BUCKET('decided_at')}, grp,
                  CASE WHEN outcome = 'denied' THEN 'denial' WHEN outcome = ANY($4::text[]) THEN 'approval' ELSE 'decision' END,
                  extract(epoch FROM decided_at - logged_at) / 3600
             FROM facts WHERE ${inRange('decided_at')}
           UNION ALL
           SELECT ${BUCKET('sla_due_at')}, grp, 'breach', NULL FROM facts
            WHERE escalated_at IS NOT NULL AND ${inRange('sla_due_at')}
              AND sla_due_at < COALESCE(decided_at, closed_at, $5::timestamptz)
           UNION ALL
           SELECT ${BUCKET('followed_up_at')}, grp, 'satisfaction', satisfaction FROM facts
            WHERE ${inRange('followed_up_at')} AND satisfaction IS NOT NULL
           UNION ALL
           SELECT ${BUCKET('decided_at')}, grp, 'appealed_decision', NULL FROM facts WHERE ${inRange('decided_at')} AND appealed_at IS NOT NULL
           UNION ALL
           SELECT ${BUCKET('appealed_at')}, grp, 'appeal', NULL FROM facts WHERE ${inRange('appealed_at')}
           UNION ALL
           SELECT ${BUCKET('appeal_decided_at')}, grp, CASE WHEN appeal_verdict = 'overturned' THEN 'overturned' ELSE 'upheld' END, NULL
             FROM facts WHERE ${inRange('appeal_decided_at')}
           UNION ALL
           SELECT ${BUCKET('t.at')}, grp, t.kind, NULL
             FROM facts,
                  LATERAL (SELECT 'four_eyes_approval' AS kind, value::timestamptz AS at FROM jsonb_array_elements_text(four_eyes_approved)
                           UNION ALL SELECT 'four_eyes_rejection', value::timestamptz FROM jsonb_array_elements_text(four_eyes_rejected)
                           UNION ALL SELECT 'deadline_missed', (value->>'at')::timestamptz FROM jsonb_array_elements(deadlines_missed)) t
            WHERE ${inRange('t.at')}
         )
         SELECT bucket, grp,
                count(*) FILTER (WHERE kind = 'request')::int AS requests,
                count(*) FILTER (WHERE kind = 'escalation')::int AS escalations,
                count(*) FILTER (WHERE kind = 'approval')::int AS approvals,
                count(*) FILTER (WHERE kind = 'denial')::int AS denials,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FILTER (WHERE kind IN ('approval', 'denial', 'decision')) AS median_hours,
                count(*) FILTER (WHERE kind = 'breach')::int AS breaches,
                avg(x) FILTER (WHERE kind = 'satisfaction')::float8 AS avg_satisfaction,
                count(*) FILTER (WHERE kind IN ('approval', 'denial', 'decision'))::int AS decisions,
                count(*) FILTER (WHERE kind = 'appealed_decision')::int AS appealed_decisions,
                count(*) FILTER (WHERE kind = 'appeal')::int AS appeals,
                count(*) FILTER (WHERE kind = 'upheld')::int AS upheld,
                count(*) FILTER (WHERE kind = 'overturned')::int AS overturned,
                count(*) FILTER (WHERE kind = 'four_eyes_approval')::int AS four_eyes_approvals,
                count(*) FILTER (WHERE kind = 'four_eyes_rejection')::int AS four_eyes_rejections,
                count(*) FILTER (WHERE kind = 'deadline_missed')::int AS deadlines_missed
           FROM happened GROUP BY bucket, grp ORDER BY bucket, grp NULLS LAST`,
        params,
      ),
      this.db.query<RefundRow>(
        `SELECT ${BUCKET('settled_at')} AS bucket, ${group} AS grp, currency, sum(refunded_minor)::text AS minor
           FROM ${CASE_FACTS}
          WHERE ${inRange('settled_at')} AND refunded_minor IS NOT NULL AND currency IS NOT NULL
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        params.slice(0, 3),
      ),
    ]);
    const key = (bucket: string, grp: string | null): string => JSON.stringify([bucket, grp]);
    const refunded = new Map<string, Money[]>();
    for (const row of refunds.rows) {
      const k = key(row.bucket, row.grp);
      refunded.set(k, [...(refunded.get(k) ?? []), { minor: Number(row.minor), currency: row.currency }]);
    }
    const rows = new Map<string, MetricRow>(metrics.rows.map((row) => [key(row.bucket, row.grp), row]));
    for (const k of refunded.keys()) {
      if (!rows.has(k)) {
        const [bucket, grp] = JSON.parse(k) as [string, string | null];
        rows.set(k, emptyMetrics(bucket, grp));
      }
    }
    // Ungrouped trends show every bucket of the period, empty ones included, so a chart has no gaps.
    if (!groupBy) {
      for (const start of spine) {
        const k = key(start.toISOString(), null);
        if (!rows.has(k)) {
          rows.set(k, emptyMetrics(start.toISOString(), null));
        }
      }
    }
    const buckets = [...rows.values()]
      .sort((a, b) => a.bucket.localeCompare(b.bucket) || compareGroups(a.grp, b.grp))
      .map((row): TrendBucket => {
        const decided = row.approvals + row.denials;
        return {
          start: row.bucket,
          ...(groupBy ? { group: row.grp } : {}),
          requests: row.requests,
          escalations: row.escalations,
          approvals: row.approvals,
          denials: row.denials,
          approvalRate: decided > 0 ? row.approvals / decided : null,
          refunded: refunded.get(key(row.bucket, row.grp)) ?? [],
          medianHoursToDecision: row.median_hours === null ? null : Number(row.median_hours),
          slaBreaches: row.breaches,
          averageSatisfaction: row.avg_satisfaction === null ? null : Number(row.avg_satisfaction),
          appeals: row.appeals,
          appealRate: row.decisions > 0 ? row.appealed_decisions / row.decisions : null,
          upheld: row.upheld,
          overturned: row.overturned,
          overturnRate: row.upheld + row.overturned > 0 ? row.overturned / (row.upheld + row.overturned) : null,
          fourEyesApprovals: row.four_eyes_approvals,
          fourEyesRejections: row.four_eyes_rejections,
          deadlinesMissed: row.deadlines_missed,
        };
      });
    return { from: from.toISOString(), to: to.toISOString(), interval, groupBy: groupBy ?? null, buckets };
  }
}

const compareGroups = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
