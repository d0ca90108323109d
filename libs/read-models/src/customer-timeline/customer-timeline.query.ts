import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { APPROVING_OUTCOMES, Money } from '@refund-desk/domain';
import { cursorKey, Page, pageOf } from '../shared/pagination';
import { CUSTOMER_TIMELINE } from './customer-timeline.projection';

export interface TimelineEntry {
  readonly position: number;
  readonly caseId: string;
  readonly version: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string | null;
  /** The event's data with personal fields set to null. */
  readonly data: Record<string, unknown>;
}

export interface TimelineSummary {
  readonly cases: number;
  /** Cases decided with an approving outcome (refund, partial refund, store credit, exchange, repair). */
  readonly approved: number;
  readonly denied: number;
  /** Refunds settled, per currency. */
  readonly refunded: readonly Money[];
}

export interface CustomerTimeline extends Page<TimelineEntry> {
  readonly customerId: string;
  readonly summary: TimelineSummary;
}

interface EntryRow {
  position: number;
  case_id: string;
  version: number;
  type: string;
  occurred_at: Date;
  recorded_at: Date;
  actor: string | null;
  data: Record<string, unknown>;
}

@Injectable()
export class CustomerTimelineQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Oldest first; the summary covers every case of the customer, whatever the page. */
  async timeline(customerId: string, page: { limit: number; cursor?: string }): Promise<CustomerTimeline> {
    const after = cursorKey(page.cursor, ['number']);
    const [entries, summary, refunded, decisions] = await Promise.all([
      this.db.query<EntryRow>(
        `SELECT position, case_id, version, type, occurred_at, recorded_at, actor, data FROM ${CUSTOMER_TIMELINE}
          WHERE customer_id = $1 AND ($2::bigint IS NULL OR position > $2) ORDER BY position LIMIT $3`,
        [customerId, after?.[0] ?? null, page.limit + 1],
      ),
      this.db.query<{ cases: number }>(`SELECT count(DISTINCT case_id)::int AS cases FROM ${CUSTOMER_TIMELINE} WHERE customer_id = $1`, [customerId]),
      this.db.query<{ currency: string; minor: string }>(
        `SELECT data->'amount'->>'currency' AS currency, sum((data->'amount'->>'minor')::numeric)::text AS minor
           FROM ${CUSTOMER_TIMELINE}
          WHERE customer_id = $1 AND type = 'RefundSettled' AND json_typeof((data->'amount'->'minor')::json) = 'number'
            AND data->'amount'->>'currency' IS NOT NULL
          GROUP BY 1 ORDER BY 1`,
        [customerId],
      ),
      this.db.query<{ case_id: string; type: string; outcome: string | null }>(
        `SELECT case_id, type, CASE type WHEN 'Decided' THEN data->>'outcome' ELSE data->'decision'->>'outcome' END AS outcome
           FROM ${CUSTOMER_TIMELINE}
          WHERE customer_id = $1
            AND (type IN ('Decided', 'DecisionRejected') OR (type = 'AppealDecided' AND json_typeof((data->'decision')::json) = 'object'))
          ORDER BY position`,
        [customerId],
      ),
    ]);
    const outcomes = decisionsInForce(decisions.rows);
    const served = pageOf(
      entries.rows,
      page.limit,
      (row): TimelineEntry => ({
        position: row.position,
        caseId: row.case_id,
        version: row.version,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
        actor: row.actor,
        data: row.data,
      }),
      (row) => [row.position],
    );
    return {
      customerId,
      summary: {
        cases: summary.rows[0]?.cases ?? 0,
        approved: outcomes.filter((o) => (APPROVING_OUTCOMES as readonly (string | null)[]).includes(o)).length,
        denied: outcomes.filter((o) => o === 'denied').length,
        refunded: refunded.rows.map((row) => ({ minor: Number(row.minor), currency: row.currency })),
      },
      ...served,
    };
  }
}

/**
 * The outcome in force of each decided case: its latest decision (a first one, or an overturning
 * verdict's), where a second approver's rejection voids the latest and the one before stands again.
 */
function decisionsInForce(rows: readonly { case_id: string; type: string; outcome: string | null }[]): (string | null)[] {
  const byCase = new Map<string, (string | null)[]>();
  for (const row of rows) {
    const stack = byCase.get(row.case_id) ?? [];
    if (row.type === 'DecisionRejected') stack.pop();
    else stack.push(row.outcome);
    byCase.set(row.case_id, stack);
  }
  return [...byCase.values()].flatMap((stack) => (stack.length > 0 ? [stack[stack.length - 1]] : []));
}
