import { SqlExecutor } from '@refund-desk/database';
import { assertNever, AUTHORITY_LEVELS, AuthorityLevel, knownCaseEventType, PRIORITIES, Priority, priorityRank } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { customerOf, Data, int, money, obj, str, time } from '../shared/event-data';

export const MANAGER_QUEUE = 'rm_manager_queue';

/** What a case waits for from a manager: a first decision, an appeal's verdict, or a second approver. */
export const WAITING_FOR = ['decision', 'appeal', 'approval'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];

/** A decision as the queue shows it, and as a rejected overturn brings it back. */
interface DecisionShown {
  readonly decided_by: string | null;
  readonly decided_outcome: string | null;
  readonly decided_minor: number | null;
  readonly decided_currency: string | null;
  readonly decided_at: string | null;
  readonly decided_authority: string | null;
  /** Four eyes: `pending` until a second person approves; null when none is needed. */
  readonly approval: 'pending' | 'approved' | null;
}

/**
 * A case as the manager queue sees it. It is in the queue while `waiting_for` is set; priority,
 * required_authority, sla_due_at and sla_missed_at are those of what it waits for, computed from
 * the escalation, appeal and decision columns, which are kept so that a rejected decision puts
 * the case back where it stood.
 */
export interface ManagerQueueRow extends CaseRow, DecisionShown {
  readonly customer_id: string | null;
  readonly status: 'logged' | 'escalated' | 'decided' | 'closed';
  readonly product_sku: string | null;
  readonly product_name: string | null;
  readonly product_category: string | null;
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly reason_code: string | null;
  readonly waiting_for: WaitingFor | null;
  readonly waiting_since: string | null;
  readonly priority: Priority | null;
  readonly priority_rank: number | null;
  readonly escalation_codes: readonly string[] | null;
  readonly required_authority: string | null;
  readonly escalated_at: string | null;
  readonly sla_due_at: string | null;
  /** When the scheduler recorded the deadline of what the case waits for as missed. */
  readonly sla_missed_at: string | null;
  readonly assignee: string | null;
  readonly escalation_priority: Priority | null;
  readonly escalation_authority: string | null;
  readonly escalation_sla_due_at: string | null;
  readonly escalation_missed_at: string | null;
  /** `waiting` until the verdict. */
  readonly appeal_status: 'waiting' | 'decided' | null;
  readonly appealed_at: string | null;
  /** Who decided what is appealed: they may not decide the appeal. */
  readonly appeal_first_decided_by: string | null;
  readonly appeal_priority: Priority | null;
  readonly appeal_authority: string | null;
  readonly appeal_sla_due_at: string | null;
  readonly appeal_missed_at: string | null;
  /** The decision an overturning verdict replaced, while the overturn waits for its approver. */
  readonly replaced_decision: DecisionShown | null;
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
    waiting_for text,
    waiting_since timestamptz,
    priority text,
    priority_rank smallint,
    escalation_codes jsonb,
    required_authority text,
    escalated_at timestamptz,
    sla_due_at timestamptz,
    sla_missed_at timestamptz,
    assignee text,
    decided_by text,
    decided_outcome text,
    decided_minor bigint,
    decided_currency text,
    decided_at timestamptz,
    decided_authority text,
    approval text,
    escalation_priority text,
    escalation_authority text,
    escalation_sla_due_at timestamptz,
    escalation_missed_at timestamptz,
    appeal_status text,
    appealed_at timestamptz,
    appeal_first_decided_by text,
    appeal_priority text,
    appeal_authority text,
    appeal_sla_due_at timestamptz,
    appeal_missed_at timestamptz,
    replaced_decision jsonb`,
  // A customer's open cases (?customerId=, a caller's cases looked up by an agent): without it the
  // filter read every row, 343 ms at 1.85 M cases in the scale bench.
  indexes: [`(priority_rank DESC, sla_due_at, case_id) WHERE waiting_for IS NOT NULL`, `(customer_id) WHERE waiting_for IS NOT NULL`],
};

const NO_DECISION: DecisionShown = {
  decided_by: null,
  decided_outcome: null,
  decided_minor: null,
  decided_currency: null,
  decided_at: null,
  decided_authority: null,
  approval: null,
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
  waiting_for: null,
  waiting_since: null,
  priority: null,
  priority_rank: null,
  escalation_codes: null,
  required_authority: null,
  escalated_at: null,
  sla_due_at: null,
  sla_missed_at: null,
  assignee: null,
  ...NO_DECISION,
  escalation_priority: null,
  escalation_authority: null,
  escalation_sla_due_at: null,
  escalation_missed_at: null,
  appeal_status: null,
  appealed_at: null,
  appeal_first_decided_by: null,
  appeal_priority: null,
  appeal_authority: null,
  appeal_sla_due_at: null,
  appeal_missed_at: null,
  replaced_decision: null,
});

const priorityOf = (value: unknown): Priority => ((PRIORITIES as readonly unknown[]).includes(value) ? (value as Priority) : 'normal');
const authorityOf = (value: unknown): AuthorityLevel | null => ((AUTHORITY_LEVELS as readonly unknown[]).includes(value) ? (value as AuthorityLevel) : null);

const decisionShown = (data: Data, at: string): DecisionShown => {
  const amount = money(data.amount);
  return {
    decided_by: str(data.decidedBy),
    decided_outcome: str(data.outcome),
    decided_minor: amount?.minor ?? null,
    decided_currency: amount?.currency ?? null,
    decided_at: time(data.decidedAt) ?? at,
    decided_authority: str(obj(data.authority).level),
    approval: data.fourEyes ? 'pending' : null,
  };
};

const pickDecision = (row: ManagerQueueRow): DecisionShown => ({
  decided_by: row.decided_by,
  decided_outcome: row.decided_outcome,
  decided_minor: row.decided_minor,
  decided_currency: row.decided_currency,
  decided_at: row.decided_at,
  decided_authority: row.decided_authority,
  approval: row.approval,
});

/** Where the case stands in the queue, from what it waits for. */
function placed(row: ManagerQueueRow): ManagerQueueRow {
  const wait = (waitingFor: WaitingFor, since: string | null, priority: Priority, authority: string | null, due: string | null, missed: string | null): ManagerQueueRow => ({
    ...row,
    waiting_for: waitingFor,
    waiting_since: since,
    priority,
    priority_rank: priorityRank(priority),
    required_authority: authority,
    // The queue is ordered by deadline, so a case in it always has one.
    sla_due_at: due ?? since,
    sla_missed_at: missed,
  });
  if (row.status === 'escalated') {
    return wait('decision', row.escalated_at, row.escalation_priority ?? 'normal', row.escalation_authority, row.escalation_sla_due_at, row.escalation_missed_at);
  }
  if (row.status === 'decided' && row.approval === 'pending') {
    // An approval has no deadline of its own: the oldest first, as urgent as what was decided.
    const overturn = row.appeal_status === 'decided' && row.replaced_decision !== null;
    const priority = (overturn ? row.appeal_priority : row.escalation_priority) ?? 'normal';
    const decided = authorityOf(row.decided_authority);
    const authority = decided === null || decided === 'agent' ? 'manager' : decided;
    return wait('approval', row.decided_at, priority, authority, row.decided_at, null);
  }
  if (row.status === 'decided' && row.appeal_status === 'waiting') {
    return wait('appeal', row.appealed_at, row.appeal_priority ?? 'normal', row.appeal_authority, row.appeal_sla_due_at, row.appeal_missed_at);
  }
  return { ...row, waiting_for: null, waiting_since: null, sla_missed_at: null };
}

/** Folds one event into a case's queue row; pure, and total over odd data. Guards follow the domain's evolve. */
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
      const escalatedAt = time(data.escalatedAt) ?? event.recordedAt;
      const codes = Array.isArray(data.reasonCodes) ? data.reasonCodes.filter((c): c is string => typeof c === 'string') : [];
      return placed({
        ...base,
        status: 'escalated',
        escalation_codes: codes,
        escalated_at: escalatedAt,
        escalation_priority: priorityOf(data.priority),
        escalation_authority: str(data.requiredAuthority),
        escalation_sla_due_at: time(data.slaDueAt) ?? escalatedAt,
        escalation_missed_at: null,
        assignee: null,
      });
    }
    case 'CaseAssigned':
      return row && { ...row, assignee: str(data.assignee) ?? row.assignee };
    case 'Decided':
      if (!row || row.status === 'closed' || row.status === 'decided') return row;
      return placed({ ...row, status: 'decided', ...decisionShown(data, event.recordedAt), appeal_status: null, replaced_decision: null });
    case 'DecisionApproved':
      return row?.status === 'decided' && row.approval === 'pending' ? placed({ ...row, approval: 'approved' }) : row;
    case 'DecisionRejected': {
      if (row?.status !== 'decided' || row.approval !== 'pending') return row;
      // A rejected overturn: the decision it replaced stands again and the appeal waits again.
      if (row.appeal_status === 'decided' && row.replaced_decision) {
        return placed({ ...row, ...row.replaced_decision, appeal_status: 'waiting', replaced_decision: null });
      }
      const back = row.escalated_at !== null ? 'escalated' : 'logged';
      return placed({ ...row, status: back, ...NO_DECISION, appeal_status: null, replaced_decision: null });
    }
    case 'DecisionAppealed': {
      if (row?.status !== 'decided' || row.appeal_status !== null) return row;
      const appealedAt = time(data.appealedAt) ?? event.recordedAt;
      return placed({
        ...row,
        appeal_status: 'waiting',
        appealed_at: appealedAt,
        appeal_first_decided_by: str(data.firstDecidedBy),
        appeal_priority: priorityOf(data.priority),
        appeal_authority: str(data.requiredAuthority),
        appeal_sla_due_at: time(data.slaDueAt) ?? appealedAt,
        appeal_missed_at: null,
      });
    }
    case 'AppealDecided': {
      if (row?.status !== 'decided' || row.appeal_status !== 'waiting') return row;
      if (!data.decision) return placed({ ...row, appeal_status: 'decided' });
      const replacement = decisionShown(obj(data.decision), time(data.decidedAt) ?? event.recordedAt);
      return placed({ ...row, ...replacement, appeal_status: 'decided', replaced_decision: pickDecision(row) });
    }
    case 'DeadlineMissed': {
      if (!row) return row;
      const missedAt = time(data.missedAt) ?? event.recordedAt;
      const raised = obj(data.raisedTo);
      const priority = (PRIORITIES as readonly unknown[]).includes(raised.priority) ? (raised.priority as Priority) : null;
      const authority = str(raised.requiredAuthority);
      if (data.deadline === 'decision_sla' && row.status === 'escalated') {
        return placed({
          ...row,
          escalation_missed_at: missedAt,
          escalation_priority: priority ?? row.escalation_priority,
          escalation_authority: authority ?? row.escalation_authority,
        });
      }
      if (data.deadline === 'appeal_sla' && row.status === 'decided' && row.appeal_status !== null) {
        return placed({
          ...row,
          appeal_missed_at: missedAt,
          appeal_priority: priority ?? row.appeal_priority,
          appeal_authority: authority ?? row.appeal_authority,
        });
      }
      return row;
    }
    case 'CaseClosed':
      return row && placed({ ...row, status: 'closed' });
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

/** Cases waiting for a manager (a decision, an appeal's verdict, a second approval), ordered by urgency then deadline. */
export const managerQueueProjection = defineProjection({
  name: 'manager_queue',
  tables: [TABLE],
  eventTypes: [
    'RequestLogged',
    'Escalated',
    'CaseAssigned',
    'Decided',
    'DecisionApproved',
    'DecisionRejected',
    'DecisionAppealed',
    'AppealDecided',
    'DeadlineMissed',
    'CaseClosed',
  ],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await foldCaseRows(tx, tables[MANAGER_QUEUE], events, evolveManagerQueueRow);
  },
});
