import { SqlExecutor } from '@refund-desk/database';
import { assertNever, knownCaseEventType, PRIORITIES, Priority, priorityRank } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { customerOf, int, obj, str, time } from '../shared/event-data';

export const MANAGER_QUEUE = 'rm_manager_queue';

/** A case as the manager queue sees it; only `escalated` rows are in the queue. */
export interface ManagerQueueRow extends CaseRow {
  readonly customer_id: string | null;
  readonly status: 'logged' | 'escalated' | 'decided' | 'closed';
  readonly product_sku: string | null;
  readonly product_name: string | null;
  readonly product_category: string | null;
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly reason_code: string | null;
  readonly priority: Priority | null;
  readonly priority_rank: number | null;
  readonly escalation_codes: readonly string[] | null;
  readonly required_authority: string | null;
  readonly escalated_at: string | null;
  readonly sla_due_at: string | null;
  readonly assignee: string | null;
}

const TABLE: ReadModelTable = {
  name: MANAGER_QUEUE,
  columns: `case_id text PRIMARY KEY,
    version integer NOT NULL,
    customer_id text,
    status text NOT NULL,
    product_sku text,
    product_name text,
    product_category text,
    amount_minor bigint,
    currency text,
    reason_code text,
    priority text,
    priority_rank smallint,
    escalation_codes jsonb,
    required_authority text,
    escalated_at timestamptz,
    sla_due_at timestamptz,
    assignee text`,
  indexes: [`(priority_rank DESC, sla_due_at, case_id) WHERE status = 'escalated'`],
};

const emptyRow = (caseId: string, event: RecordedEvent): ManagerQueueRow => ({
  case_id: caseId,
  version: 0,
  customer_id: customerOf(event.data, event.metadata),
  status: 'logged',
  product_sku: null,
  product_name: null,
  product_category: null,
  amount_minor: null,
  currency: null,
  reason_code: null,
  priority: null,
  priority_rank: null,
  escalation_codes: null,
  required_authority: null,
  escalated_at: null,
  sla_due_at: null,
  assignee: null,
});

/** Folds one event into a case's queue row; pure, and total over odd data. */
export function evolveManagerQueueRow(row: ManagerQueueRow | undefined, event: RecordedEvent, caseId: string): ManagerQueueRow | undefined {
  const data = event.data;
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged': {
      if (row) return row;
      const product = obj(data.product);
      const amount = obj(data.amount);
      return {
        ...emptyRow(caseId, event),
        product_sku: str(product.sku),
        product_name: str(product.name),
        product_category: str(product.category),
        amount_minor: int(amount.minor),
        currency: str(amount.currency),
        reason_code: str(obj(data.reason).code),
      };
    }
    case 'Escalated': {
      const base = row ?? emptyRow(caseId, event);
      if (base.status === 'decided' || base.status === 'closed') return base;
      const priority = (PRIORITIES as readonly unknown[]).includes(data.priority) ? (data.priority as Priority) : 'normal';
      // The queue is ordered by deadline, so an escalation always has one, however odd its data.
      const escalatedAt = time(data.escalatedAt) ?? event.recordedAt;
      const codes = Array.isArray(data.reasonCodes) ? data.reasonCodes.filter((c): c is string => typeof c === 'string') : [];
      return {
        ...base,
        status: 'escalated',
        priority,
        priority_rank: priorityRank(priority),
        escalation_codes: codes,
        required_authority: str(data.requiredAuthority),
        escalated_at: escalatedAt,
        sla_due_at: time(data.slaDueAt) ?? escalatedAt,
        assignee: null,
      };
    }
    case 'CaseAssigned':
      return row && { ...row, assignee: str(data.assignee) ?? row.assignee };
    case 'Decided':
      return row && row.status !== 'closed' ? { ...row, status: 'decided' } : row;
    case 'CaseClosed':
      return row && { ...row, status: 'closed' };
    // Facts this read model does not show; null: a type this version does not know.
    case 'NoteAdded':
    case 'PolicyEvaluated':
    case 'CustomerNotified':
    case 'RefundIssued':
    case 'RefundSettled':
    case 'RefundFailed':
    case 'FollowedUp':
    case 'CustomerDataErased':
    case null:
      return row;
    default:
      return assertNever(type, 'case event type');
  }
}

/** Escalated, undecided cases for managers, ordered by urgency then deadline. */
export const managerQueueProjection = defineProjection({
  name: 'manager_queue',
  tables: [TABLE],
  eventTypes: ['RequestLogged', 'Escalated', 'CaseAssigned', 'Decided', 'CaseClosed'],
  apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    return foldCaseRows(tx, tables[MANAGER_QUEUE], events, evolveManagerQueueRow);
  },
});
