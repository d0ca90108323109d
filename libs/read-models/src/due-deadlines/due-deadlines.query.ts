import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { Deadline, Money } from '@refund-desk/domain';
import { cursorKey, Page, pageOf } from '../shared/pagination';
import { DUE_DEADLINES } from './due-deadlines.projection';

export interface DueDeadline {
  readonly caseId: string;
  readonly deadline: Deadline;
  /** As the case's events carry it: pass it unchanged to RecordDeadlineMissed. */
  readonly dueAt: string;
}

export interface LateRefund {
  readonly caseId: string;
  readonly dueAt: string;
  readonly missedAt: string;
  readonly amount: Money | null;
  /** Whether the law or the merchant's policy set the deadline. */
  readonly under: 'law' | 'policy' | null;
  readonly decidedAt: string | null;
}

interface LateRow {
  case_id: string;
  due_at: Date;
  missed_at: Date;
  amount_minor: string | number | null;
  currency: string | null;
  under: string | null;
  decided_at: Date | null;
}

const CURSOR = ['time', 'string'] as const;

@Injectable()
export class DueDeadlinesQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Deadlines past by `now` and not yet recorded as missed, the oldest first: the scheduler's work. */
  async due(now: Date, limit: number): Promise<DueDeadline[]> {
    const { rows } = await this.db.query<{ case_id: string; deadline: Deadline; due: string }>(
      `SELECT case_id, deadline, due FROM ${DUE_DEADLINES}
        WHERE missed_at IS NULL AND due_at <= $1::timestamptz
        ORDER BY due_at, case_id, deadline
        LIMIT $2`,
      [now.toISOString(), limit],
    );
    return rows.map((row) => ({ caseId: row.case_id, deadline: row.deadline, dueAt: row.due }));
  }

  /** Money owed under a decision, past its deadline and not settled: the longest overdue first. */
  async lateRefunds(page: { readonly limit: number; readonly cursor?: string }): Promise<Page<LateRefund>> {
    const after = cursorKey(page.cursor, CURSOR);
    const { rows } = await this.db.query<LateRow>(
      `SELECT case_id, due_at, missed_at, amount_minor, currency, under, decided_at FROM ${DUE_DEADLINES}
        WHERE deadline = 'refund_settlement' AND missed_at IS NOT NULL
          AND ($1::timestamptz IS NULL OR (due_at, case_id) > ($1::timestamptz, $2::text))
        ORDER BY due_at, case_id
        LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    );
    return pageOf(
      rows,
      page.limit,
      (row) => ({
        caseId: row.case_id,
        dueAt: row.due_at.toISOString(),
        missedAt: row.missed_at.toISOString(),
        amount: row.amount_minor !== null && row.currency !== null ? { minor: Number(row.amount_minor), currency: row.currency } : null,
        under: row.under === 'law' || row.under === 'policy' ? row.under : null,
        decidedAt: row.decided_at?.toISOString() ?? null,
      }),
      (row) => [row.due_at.toISOString(), row.case_id],
    );
  }
}
