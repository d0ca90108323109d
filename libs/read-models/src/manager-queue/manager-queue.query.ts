import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { AuthorityLevel, Money, Priority } from '@refund-desk/domain';
import { cursorKey, Page, pageOf } from '../shared/pagination';
import { MANAGER_QUEUE, WaitingFor } from './manager-queue.projection';

export interface ManagerQueueFilter {
  readonly assignee?: string;
  /** Only cases nobody has taken yet. */
  readonly unassigned?: boolean;
  readonly priorities?: readonly Priority[];
  /** Only cases past (true) or within (false) their deadline now. */
  readonly slaBreached?: boolean;
  readonly reasonCode?: string;
  readonly category?: string;
  /** Only cases that need this authority to decide (the level the escalation asks for). */
  readonly requiredAuthority?: AuthorityLevel;
  readonly customerId?: string;
  /** Only cases waiting for a first decision, an appeal's verdict or a second approver. */
  readonly waitingFor?: WaitingFor;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ManagerQueueItem {
  readonly caseId: string;
  readonly customerId: string | null;
  readonly product: { readonly sku: string | null; readonly name: string | null; readonly category: string | null };
  readonly amount: Money | null;
  readonly reasonCode: string | null;
  readonly priority: Priority;
  readonly escalationReasonCodes: readonly string[];
  readonly requiredAuthority: string | null;
  /** When it was escalated; for a case never escalated (an approval), when it began to wait. */
  readonly escalatedAt: string;
  readonly slaDueAt: string;
  /** Computed against the time of the query. */
  readonly slaBreached: boolean;
  readonly assignee: string | null;
  readonly waitingFor: WaitingFor;
  readonly waitingSince: string;
  /** When the scheduler recorded the deadline as missed (priority and authority were raised then). */
  readonly slaMissedAt: string | null;
  /**
   * The decision in force or waiting for approval, null while none is: whoever decided it may not
   * approve it, and whoever decided an appealed decision may not decide the appeal.
   */
  readonly decision: { readonly decidedBy: string | null; readonly outcome: string | null; readonly amount: Money | null; readonly decidedAt: string | null } | null;
  /** For an appeal, who decided what is appealed. */
  readonly firstDecidedBy: string | null;
}

interface Row {
  case_id: string;
  customer_id: string | null;
  product_sku: string | null;
  product_name: string | null;
  product_category: string | null;
  amount_minor: number | null;
  currency: string | null;
  reason_code: string | null;
  priority: Priority;
  priority_rank: number;
  escalation_codes: string[] | null;
  required_authority: string | null;
  escalated_at: Date | null;
  sla_due_at: Date;
  assignee: string | null;
  waiting_for: WaitingFor;
  waiting_since: Date | null;
  sla_missed_at: Date | null;
  decided_by: string | null;
  decided_outcome: string | null;
  decided_minor: number | null;
  decided_currency: string | null;
  decided_at: Date | null;
  appeal_first_decided_by: string | null;
  breached: boolean;
}

const CURSOR = ['number', 'time', 'string'] as const;

@Injectable()
export class ManagerQueueQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Urgent first, then the earliest deadline; ties by case id so pages never overlap. */
  async list(filter: ManagerQueueFilter, now: Date): Promise<Page<ManagerQueueItem>> {
    const after = cursorKey(filter.cursor, CURSOR);
    const { rows } = await this.db.query<Row>(
      `SELECT case_id, customer_id, product_sku, product_name, product_category, amount_minor, currency, reason_code,
              priority, priority_rank, escalation_codes, required_authority, escalated_at, sla_due_at, assignee,
              waiting_for, waiting_since, sla_missed_at, decided_by, decided_outcome, decided_minor, decided_currency, decided_at,
              appeal_first_decided_by, sla_due_at < $1::timestamptz AS breached
         FROM ${MANAGER_QUEUE}
        WHERE waiting_for IS NOT NULL
          AND ($14::text IS NULL OR waiting_for = $14)
          AND ($2::text IS NULL OR assignee = $2)
          AND (NOT $3::boolean OR assignee IS NULL)
          AND ($4::text[] IS NULL OR priority = ANY($4::text[]))
          AND ($5::boolean IS NULL OR (sla_due_at < $1::timestamptz) = $5)
          AND ($6::text IS NULL OR reason_code = $6)
          AND ($7::text IS NULL OR product_category = $7)
          AND ($8::text IS NULL OR customer_id = $8)
          AND ($13::text IS NULL OR required_authority = $13)
          AND ($9::int IS NULL OR priority_rank < $9
               OR (priority_rank = $9 AND (sla_due_at, case_id) > ($10::timestamptz, $11::text)))
        ORDER BY priority_rank DESC, sla_due_at, case_id
        LIMIT $12`,
      [
        now.toISOString(),
        filter.assignee ?? null,
        filter.unassigned ?? false,
        filter.priorities?.length ? filter.priorities : null,
        filter.slaBreached ?? null,
        filter.reasonCode ?? null,
        filter.category ?? null,
        filter.customerId ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        after?.[2] ?? null,
        filter.limit + 1,
        filter.requiredAuthority ?? null,
        filter.waitingFor ?? null,
      ],
    );
    return pageOf(rows, filter.limit, toItem, (row) => [row.priority_rank, row.sla_due_at.toISOString(), row.case_id]);
  }
}

const toItem = (row: Row): ManagerQueueItem => ({
  caseId: row.case_id,
  customerId: row.customer_id,
  product: { sku: row.product_sku, name: row.product_name, category: row.product_category },
  amount: row.amount_minor !== null && row.currency !== null ? { minor: row.amount_minor, currency: row.currency } : null,
  reasonCode: row.reason_code,
  priority: row.priority,
  escalationReasonCodes: row.escalation_codes ?? [],
  requiredAuthority: row.required_authority,
  escalatedAt: (row.escalated_at ?? row.waiting_since ?? row.sla_due_at).toISOString(),
  slaDueAt: row.sla_due_at.toISOString(),
  slaBreached: row.breached,
  assignee: row.assignee,
  waitingFor: row.waiting_for,
  waitingSince: (row.waiting_since ?? row.sla_due_at).toISOString(),
  slaMissedAt: row.sla_missed_at?.toISOString() ?? null,
  decision:
    row.waiting_for === 'decision'
      ? null
      : {
          decidedBy: row.decided_by,
          outcome: row.decided_outcome,
          amount: row.decided_minor !== null && row.decided_currency !== null ? { minor: row.decided_minor, currency: row.decided_currency } : null,
          decidedAt: row.decided_at?.toISOString() ?? null,
        },
  firstDecidedBy: row.waiting_for === 'appeal' ? row.appeal_first_decided_by : null,
});
