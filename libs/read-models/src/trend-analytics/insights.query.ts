import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { APPROVING_OUTCOMES, DEFAULT_POLICY_RULES, InvalidCommandError, Money } from '@refund-desk/domain';
import { CASE_FACTS, POLICY_REVISIONS } from './trend-analytics.projection';
import { TrendInterval } from './trends.query';

export const INSIGHT_KINDS = ['window_near_miss', 'rising_defect_claims', 'repeat_requesters', 'exception_cost', 'policy_revision_effect', 'appeal_outcomes'] as const;
export type InsightKind = (typeof INSIGHT_KINDS)[number];

/** A finding for whoever owns the policy, with the figures that support it. */
export interface Insight {
  readonly kind: InsightKind;
  readonly title: string;
  readonly detail: string;
  readonly figures: Readonly<Record<string, unknown>>;
}

export interface InsightsQueryInput {
  readonly from: Date;
  readonly to: Date;
  /** Period of the exception-cost series. */
  readonly interval: TrendInterval;
  /** Fewest cases behind a finding about a category, product or customer. */
  readonly minCases: number;
  /** A window missed by fewer than this many days counts as a near miss. */
  readonly nearMissDays: number;
}

export interface Insights {
  readonly from: string;
  readonly to: string;
  readonly findings: readonly Insight[];
}

const PERIOD = (column: string): string =>
  `to_char(date_trunc($3::text, ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const pct = (share: number): string => `${Math.round(share * 100)}%`;
const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Insights are computed with SQL over the trend tables, for requests logged in [from, to). */
@Injectable()
export class InsightsQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async insights(input: InsightsQueryInput): Promise<Insights> {
    if (!(input.from < input.to)) throw new InvalidCommandError('from must be before to', 'from');
    const findings = [
      ...(await this.windowNearMisses(input)),
      ...(await this.risingDefectClaims(input)),
      ...(await this.repeatRequesters(input)),
      ...(await this.exceptionCost(input)),
      ...(await this.policyRevisionEffect()),
      ...(await this.appealOutcomes(input)),
    ];
    return { from: input.from.toISOString(), to: input.to.toISOString(), findings };
  }

  /** Categories whose exceptions mostly missed the return window by only a few days. */
  private async windowNearMisses({ from, to, minCases, nearMissDays }: InsightsQueryInput): Promise<Insight[]> {
    const { rows } = await this.db.query<{ category: string; exceptions: number; near_misses: number; window_days: number | null }>(
      `SELECT category, count(*)::int AS exceptions,
              count(*) FILTER (WHERE days_over_window > 0 AND days_over_window < $3)::int AS near_misses,
              max(window_days) AS window_days
         FROM ${CASE_FACTS}
        WHERE escalated_at IS NOT NULL AND category IS NOT NULL AND logged_at >= $1 AND logged_at < $2
        GROUP BY category
       HAVING count(*) >= $4 AND count(*) FILTER (WHERE days_over_window > 0 AND days_over_window < $3) * 2 > count(*)
        ORDER BY count(*) FILTER (WHERE days_over_window > 0 AND days_over_window < $3)::float8 / count(*) DESC, category`,
      [from.toISOString(), to.toISOString(), nearMissDays, minCases],
    );
    return rows.map((row) => {
      const share = row.near_misses / row.exceptions;
      return {
        kind: 'window_near_miss',
        title: `Most exceptions in ${row.category} missed the return window by less than ${nearMissDays} days`,
        detail:
          `${row.near_misses} of ${row.exceptions} escalated requests (${pct(share)}) in ${row.category} came less than ` +
          `${nearMissDays} days after the ${row.window_days ?? '?'}-day window closed: a longer window would settle them without a manager.`,
        figures: { category: row.category, exceptions: row.exceptions, nearMisses: row.near_misses, share: round(share), windowDays: row.window_days, nearMissDays },
      };
    });
  }

  /** Products with more defect claims in the second half of the period than in the first. */
  private async risingDefectClaims({ from, to, minCases }: InsightsQueryInput): Promise<Insight[]> {
    const middle = new Date(from.getTime() + Math.floor((to.getTime() - from.getTime()) / 2));
    const { rows } = await this.db.query<{ sku: string; earlier: number; later: number; earlier_requests: number; later_requests: number }>(
      `SELECT * FROM (
         SELECT product_sku AS sku,
                count(*) FILTER (WHERE reason_code = 'defective' AND logged_at < $3)::int AS earlier,
                count(*) FILTER (WHERE reason_code = 'defective' AND logged_at >= $3)::int AS later,
                count(*) FILTER (WHERE logged_at < $3)::int AS earlier_requests,
                count(*) FILTER (WHERE logged_at >= $3)::int AS later_requests
           FROM ${CASE_FACTS}
          WHERE product_sku IS NOT NULL AND logged_at >= $1 AND logged_at < $2
          GROUP BY product_sku) per_product
        WHERE later >= $4 AND later >= 1.5 * earlier
        ORDER BY later - earlier DESC, sku`,
      [from.toISOString(), to.toISOString(), middle.toISOString(), minCases],
    );
    return rows.map((row) => ({
      kind: 'rising_defect_claims',
      title: `Defect claims for ${row.sku} are rising`,
      detail:
        `${row.later} defect claims for ${row.sku} from ${middle.toISOString()} to ${to.toISOString()}, against ${row.earlier} in the ` +
        `same length of time before: worth a look by the product team.`,
      figures: {
        sku: row.sku,
        earlier: { from: from.toISOString(), to: middle.toISOString(), defectClaims: row.earlier, requests: row.earlier_requests },
        later: { from: middle.toISOString(), to: to.toISOString(), defectClaims: row.later, requests: row.later_requests },
        change: row.earlier === 0 ? null : round(row.later / row.earlier - 1),
      },
    }));
  }

  /** Customers with more cases in the period than the policy's repeat-requester threshold allows unflagged. */
  private async repeatRequesters({ from, to }: InsightsQueryInput): Promise<Insight[]> {
    const { rows } = await this.db.query<{
      customer_id: string;
      cases: number;
      approvals: number;
      denials: number;
      threshold: number;
      refunded: Array<{ currency: string; minor: number }> | null;
    }>(
      `WITH policy AS (
         SELECT COALESCE((SELECT (rules->'repeatRequester'->>'threshold')::int FROM ${POLICY_REVISIONS}
                           WHERE jsonb_typeof(rules->'repeatRequester'->'threshold') = 'number'
                           ORDER BY version DESC LIMIT 1), $3) AS threshold
       ),
       repeaters AS (
         SELECT customer_id, count(*)::int AS cases,
                count(*) FILTER (WHERE outcome = ANY($4::text[]))::int AS approvals,
                count(*) FILTER (WHERE outcome = 'denied')::int AS denials
           FROM ${CASE_FACTS}
          WHERE customer_id IS NOT NULL AND logged_at >= $1 AND logged_at < $2
          GROUP BY customer_id
         HAVING count(*) > (SELECT threshold FROM policy)
       )
       SELECT r.*, (SELECT threshold FROM policy) AS threshold,
              (SELECT jsonb_agg(jsonb_build_object('currency', currency, 'minor', minor) ORDER BY currency)
                 FROM (SELECT currency, sum(refunded_minor) AS minor FROM ${CASE_FACTS} f
                        WHERE f.customer_id = r.customer_id AND f.logged_at >= $1 AND f.logged_at < $2
                          AND f.refunded_minor IS NOT NULL AND f.currency IS NOT NULL
                        GROUP BY currency) s) AS refunded
         FROM repeaters r ORDER BY cases DESC, customer_id LIMIT 50`,
      [from.toISOString(), to.toISOString(), DEFAULT_POLICY_RULES.repeatRequester.threshold, APPROVING_OUTCOMES],
    );
    if (rows.length === 0) return [];
    return [
      {
        kind: 'repeat_requesters',
        title: `${rows.length} customer(s) asked for more than ${rows[0].threshold} exceptions in the period`,
        detail: 'Repeat requests point to abuse or to a product problem; review them, never deny them by reflex.',
        figures: {
          threshold: rows[0].threshold,
          customers: rows.map((row) => ({
            customerId: row.customer_id,
            cases: row.cases,
            approvals: row.approvals,
            denials: row.denials,
            refunded: (row.refunded ?? []).map((m) => ({ minor: Number(m.minor), currency: m.currency })),
          })),
        },
      },
    ];
  }

  /**
   * What exceptions gave away, per period of decision and currency: the decided amount of
   * escalated cases approved (for an exchange or a repair, the price paid).
   */
  private async exceptionCost({ from, to, interval }: InsightsQueryInput): Promise<Insight[]> {
    const { rows } = await this.db.query<{ period: string; currency: string; exceptions: number; approved: number; cost: string }>(
      `SELECT ${PERIOD('decided_at')} AS period, currency, count(*)::int AS exceptions,
              count(*) FILTER (WHERE outcome = ANY($4::text[]))::int AS approved,
              COALESCE(sum(COALESCE(decision_minor, amount_minor)) FILTER (WHERE outcome = ANY($4::text[])), 0)::text AS cost
         FROM ${CASE_FACTS}
        WHERE escalated_at IS NOT NULL AND currency IS NOT NULL AND decided_at >= $1 AND decided_at < $2
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from.toISOString(), to.toISOString(), interval, APPROVING_OUTCOMES],
    );
    if (rows.length === 0) return [];
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.currency, (totals.get(row.currency) ?? 0) + Number(row.cost));
    const total: Money[] = [...totals].map(([currency, minor]) => ({ minor, currency }));
    return [
      {
        kind: 'exception_cost',
        title: 'Cost of exceptions per period',
        detail: `Escalated cases decided in the period gave away ${total.map((m) => `${m.minor} ${m.currency} (minor units)`).join(', ')}.`,
        figures: {
          interval,
          total,
          periods: rows.map((row) => ({
            start: row.period,
            currency: row.currency,
            exceptionsDecided: row.exceptions,
            approved: row.approved,
            cost: { minor: Number(row.cost), currency: row.currency },
          })),
        },
      },
    ];
  }

  /** For every policy version: the approval rate of the decisions taken under it, and the change from the version before. */
  private async policyRevisionEffect(): Promise<Insight[]> {
    const { rows } = await this.db.query<{
      version: number;
      revised_at: Date | null;
      change_note: string | null;
      decisions: number;
      approvals: number;
    }>(
      `WITH decisions AS (
         SELECT decision_policy_version AS version, count(*)::int AS decisions,
                count(*) FILTER (WHERE outcome = ANY($1::text[]))::int AS approvals
           FROM ${CASE_FACTS} WHERE decided_at IS NOT NULL AND decision_policy_version IS NOT NULL
          GROUP BY 1
       )
       SELECT COALESCE(p.version, d.version) AS version, p.revised_at, p.change_note,
              COALESCE(d.decisions, 0) AS decisions, COALESCE(d.approvals, 0) AS approvals
         FROM ${POLICY_REVISIONS} p FULL JOIN decisions d ON d.version = p.version
        ORDER BY 1`,
      [APPROVING_OUTCOMES],
    );
    if (rows.length === 0) return [];
    let previous: number | null = null;
    const versions = rows.map((row) => {
      const rate = row.decisions > 0 ? row.approvals / row.decisions : null;
      const change = rate !== null && previous !== null ? round(rate - previous) : null;
      if (rate !== null) previous = rate;
      return {
        version: row.version,
        revisedAt: row.revised_at?.toISOString() ?? null,
        changeNote: row.change_note,
        decisions: row.decisions,
        approvals: row.approvals,
        approvalRate: rate === null ? null : round(rate),
        changeFromPrevious: change,
      };
    });
    const latest = [...versions].reverse().find((v) => v.changeFromPrevious !== null);
    return [
      {
        kind: 'policy_revision_effect',
        title: 'Approval rate under each policy version',
        detail: latest
          ? `Under version ${latest.version} the approval rate is ${pct(latest.approvalRate!)} (${latest.changeFromPrevious! >= 0 ? '+' : ''}${Math.round(latest.changeFromPrevious! * 100)} points from the version before).`
          : 'Not enough decisions under successive versions to compare them yet.',
        figures: { versions },
      },
    ];
  }

  /**
   * How often first-instance decisions are appealed and overturned, per decider, category and
   * reason, for requests logged in the period: a decider or a rule overturned often is one to review.
   */
  private async appealOutcomes({ from, to }: InsightsQueryInput): Promise<Insight[]> {
    const { rows } = await this.db.query<{ dimension: 'all' | 'decider' | 'category' | 'reason'; value: string; decisions: number; appeals: number; verdicts: number; overturned: number }>(
      `SELECT d.dimension, d.value, count(*)::int AS decisions,
              count(*) FILTER (WHERE appealed_at IS NOT NULL)::int AS appeals,
              count(*) FILTER (WHERE appeal_verdict IS NOT NULL)::int AS verdicts,
              count(*) FILTER (WHERE appeal_verdict = 'overturned')::int AS overturned
         FROM ${CASE_FACTS},
              LATERAL (VALUES ('all', 'all'), ('decider', first_decided_by), ('category', category), ('reason', reason_code)) AS d(dimension, value)
        WHERE decided_at IS NOT NULL AND d.value IS NOT NULL AND logged_at >= $1 AND logged_at < $2
        GROUP BY d.dimension, d.value
        ORDER BY d.dimension, count(*) FILTER (WHERE appealed_at IS NOT NULL) DESC, d.value`,
      [from.toISOString(), to.toISOString()],
    );
    const all = rows.find((row) => row.dimension === 'all');
    if (!all || all.appeals === 0) return [];
    const totals = { decisions: all.decisions, appeals: all.appeals, verdicts: all.verdicts, overturned: all.overturned };
    const figures = (dimension: string) =>
      rows
        .filter((row) => row.dimension === dimension)
        .map((row) => ({
          [dimension]: row.value,
          decisions: row.decisions,
          appeals: row.appeals,
          appealRate: round(row.appeals / row.decisions),
          verdicts: row.verdicts,
          overturned: row.overturned,
          overturnRate: row.verdicts > 0 ? round(row.overturned / row.verdicts) : null,
        }));
    const overturnRate = totals.verdicts > 0 ? totals.overturned / totals.verdicts : null;
    return [
      {
        kind: 'appeal_outcomes',
        title: 'Appeals and overturns of first decisions',
        detail:
          `${totals.appeals} of ${totals.decisions} decisions (${pct(totals.appeals / totals.decisions)}) were appealed` +
          (overturnRate === null ? '; none has a verdict yet.' : `; ${totals.overturned} of ${totals.verdicts} verdicts (${pct(overturnRate)}) overturned the decision.`),
        figures: {
          ...totals,
          appealRate: round(totals.appeals / totals.decisions),
          overturnRate: overturnRate === null ? null : round(overturnRate),
          byDecider: figures('decider'),
          byCategory: figures('category'),
          byReason: figures('reason'),
        },
      },
    ];
  }
}
