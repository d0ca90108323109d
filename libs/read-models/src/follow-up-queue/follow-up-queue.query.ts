import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { cursorKey, Page, pageOf } from '../shared/pagination';
import { FOLLOW_UP_QUEUE } from './follow-up-queue.projection';

export interface FollowUpFilter {
  readonly outcome?: string;
  readonly channel?: string;
  readonly customerId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface FollowUpItem {
  readonly caseId: string;
  readonly customerId: string | null;
  readonly outcome: string | null;
  readonly decidedAt: string;
  readonly followUpDueAt: string;
  /** Whole days since the follow-up fell due, at the time of the query. */
  readonly daysOverdue: number;
  /** When the scheduler recorded the follow-up as missed; null until it has. */
  readonly missedAt: string | null;
  /** Where the request came in and the customer's language: how to reach them. */
  readonly channel: string | null;
  readonly locale: string | null;
}

interface Row {
  case_id: string;
  customer_id: string | null;
  outcome: string | null;
  decided_at: Date;
  follow_up_due_at: Date;
  follow_up_missed_at: Date | null;
  channel: string | null;
  locale: string | null;
}

const CURSOR = ['time', 'string'] as const;
const DAY_MS = 86_400_000;

@Injectable()
export class FollowUpQueueQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Due now or earlier, the longest overdue first. */
  async list(filter: FollowUpFilter, now: Date): Promise<Page<FollowUpItem>> {
    const after = cursorKey(filter.cursor, CURSOR);
    const { rows } = await this.db.query<Row>(
      `SELECT case_id, customer_id, outcome, decided_at, follow_up_due_at, follow_up_missed_at, channel, locale
         FROM ${FOLLOW_UP_QUEUE}
        WHERE status = 'awaiting' AND follow_up_due_at <= $1::timestamptz
          AND ($2::text IS NULL OR outcome = $2)
          AND ($3::text IS NULL OR channel = $3)
          AND ($4::text IS NULL OR customer_id = $4)
          AND ($5::timestamptz IS NULL OR (follow_up_due_at, case_id) > ($5::timestamptz, $6::text))
        ORDER BY follow_up_due_at, case_id
        LIMIT $7`,
      [now.toISOString(), filter.outcome ?? null, filter.channel ?? null, filter.customerId ?? null, after?.[0] ?? null, after?.[1] ?? null, filter.limit + 1],
    );
    return pageOf(
      rows,
      filter.limit,
      (row) => ({
        caseId: row.case_id,
        customerId: row.customer_id,
        outcome: row.outcome,
        decidedAt: row.decided_at.toISOString(),
        followUpDueAt: row.follow_up_due_at.toISOString(),
        daysOverdue: Math.floor((now.getTime() - row.follow_up_due_at.getTime()) / DAY_MS),
        missedAt: row.follow_up_missed_at?.toISOString() ?? null,
        channel: row.channel,
        locale: row.locale,
      }),
      (row) => [row.follow_up_due_at.toISOString(), row.case_id],
    );
  }
}
