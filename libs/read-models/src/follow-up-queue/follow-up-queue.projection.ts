import { assertNever, knownCaseEventType } from '@refund-desk/domain';
import { SqlExecutor } from '@refund-desk/database';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { customerOf, Data, obj, str, time } from '../shared/event-data';

export const FOLLOW_UP_QUEUE = 'rm_follow_up_queue';

/** `awaiting`: decided, the customer not yet asked how it went; the queue shows those now due. */
export interface FollowUpRow extends CaseRow {
  readonly customer_id: string | null;
  readonly status: 'open' | 'awaiting' | 'followed_up' | 'closed';
  readonly channel: string | null;
  readonly locale: string | null;
  readonly outcome: string | null;
  readonly decided_at: string | null;
  readonly follow_up_due_at: string | null;
  /** When the scheduler recorded this follow-up as missed. */
  readonly follow_up_missed_at: string | null;
  /** The decision waits for a second approver: a rejection voids it and its follow-up. */
  readonly pending_approval: boolean;
  /** The decision an overturning verdict replaced, which a rejected overturn brings back. */
  readonly replaced: { readonly outcome: string | null; readonly decided_at: string | null; readonly follow_up_due_at: string | null; readonly pending_approval: boolean } | null;
}

const TABLE: ReadModelTable = {
  name: FOLLOW_UP_QUEUE,
  columns: `case_id text PRIMARY KEY,
    version integer NOT NULL,
    customer_id text,
    status text NOT NULL,
    channel text,
    locale text,
    outcome text,
    decided_at timestamptz,
    follow_up_due_at timestamptz,
    follow_up_missed_at timestamptz,
    pending_approval boolean NOT NULL,
    replaced jsonb`,
  indexes: [`(follow_up_due_at, case_id) WHERE status = 'awaiting'`, `(customer_id) WHERE status = 'awaiting'`],
};

const emptyRow = (caseId: string, event: RecordedEvent): FollowUpRow => ({
  case_id: caseId,
  version: 0,
  customer_id: customerOf(event.data, event.metadata),
  status: 'open',
  channel: null,
  locale: null,
  outcome: null,
  decided_at: null,
  follow_up_due_at: null,
  follow_up_missed_at: null,
  pending_approval: false,
  replaced: null,
});

/** What a decision (first or overturning) sets: its outcome and when to ask the customer. */
const decisionPart = (data: Data, recordedAt: string) => {
  const decidedAt = time(data.decidedAt) ?? recordedAt;
  // The policy's follow-up delay is already in the event; a decision without it is due at once.
  return { outcome: str(data.outcome), decided_at: decidedAt, follow_up_due_at: time(data.followUpDueAt) ?? decidedAt, pending_approval: Boolean(data.fourEyes) };
};

export function evolveFollowUpRow(row: FollowUpRow | undefined, event: RecordedEvent, caseId: string): FollowUpRow | undefined {
  const data = event.data;
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged':
      return row ?? { ...emptyRow(caseId, event), channel: str(data.channel), locale: str(obj(data.customer).locale) };
    case 'Decided': {
      const base = row ?? emptyRow(caseId, event);
      if (base.status !== 'open') return base;
      return { ...base, status: 'awaiting', ...decisionPart(data, event.recordedAt), follow_up_missed_at: null, replaced: null };
    }
    case 'AppealDecided': {
      // An overturn asks the customer about the new decision, unless they were asked already.
      if (row?.status !== 'awaiting' || !data.decision) return row;
      const { outcome, decided_at, follow_up_due_at, pending_approval } = row;
      return { ...row, ...decisionPart(obj(data.decision), event.recordedAt), follow_up_missed_at: null, replaced: { outcome, decided_at, follow_up_due_at, pending_approval } };
    }
    case 'DecisionApproved':
      return row?.pending_approval ? { ...row, pending_approval: false } : row;
    case 'DecisionRejected': {
      if (!row?.pending_approval || (row.status !== 'awaiting' && row.status !== 'followed_up')) return row;
      if (row.replaced) return { ...row, ...row.replaced, replaced: null };
      return { ...row, status: 'open', outcome: null, decided_at: null, follow_up_due_at: null, follow_up_missed_at: null, pending_approval: false };
    }
    case 'DeadlineMissed': {
      if (row?.status !== 'awaiting' || data.deadline !== 'follow_up' || row.follow_up_due_at === null) return row;
      const dueAt = time(data.dueAt);
      if (dueAt === null || Date.parse(dueAt) !== Date.parse(row.follow_up_due_at)) return row;
      return { ...row, follow_up_missed_at: time(data.missedAt) ?? event.recordedAt };
    }
    case 'FollowedUp':
      return row && row.status !== 'closed' ? { ...row, status: 'followed_up' } : row;
    case 'CaseClosed':
      return row && { ...row, status: 'closed' };
    // Facts this read model does not show; null: a type this version does not know.
    case 'NoteAdded':
    case 'PolicyEvaluated':
    case 'Escalated':
    case 'CaseAssigned':
    case 'CustomerNotified':
    case 'RefundIssued':
    case 'RefundSettled':
    case 'RefundFailed':
    case 'CustomerDataErased':
    case 'DecisionAppealed':
    case null:
      return row;
    default:
      return assertNever(type, 'case event type');
  }
}

/** Decided cases whose customer is due to be asked whether the resolution satisfied them. */
export const followUpQueueProjection = defineProjection({
  name: 'follow_up_queue',
  tables: [TABLE],
  eventTypes: ['RequestLogged', 'Decided', 'AppealDecided', 'DecisionApproved', 'DecisionRejected', 'DeadlineMissed', 'FollowedUp', 'CaseClosed'],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await foldCaseRows(tx, tables[FOLLOW_UP_QUEUE], events, evolveFollowUpRow);
  },
});
