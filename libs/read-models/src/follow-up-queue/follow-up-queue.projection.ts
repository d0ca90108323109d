import { assertNever, knownCaseEventType } from '@refund-desk/domain';
import { SqlExecutor } from '@refund-desk/database';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { customerOf, obj, str, time } from '../shared/event-data';

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
    follow_up_due_at timestamptz`,
  indexes: [`(follow_up_due_at, case_id) WHERE status = 'awaiting'`],
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
});

export function evolveFollowUpRow(row: FollowUpRow | undefined, event: RecordedEvent, caseId: string): FollowUpRow | undefined {
  const data = event.data;
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged':
      return row ?? { ...emptyRow(caseId, event), channel: str(data.channel), locale: str(obj(data.customer).locale) };
    case 'Decided': {
      const base = row ?? emptyRow(caseId, event);
      if (base.status !== 'open') return base;
      const decidedAt = time(data.decidedAt) ?? event.recordedAt;
      // The policy's follow-up delay is already in the event; a decision without it is due at once.
      return { ...base, status: 'awaiting', outcome: str(data.outcome), decided_at: decidedAt, follow_up_due_at: time(data.followUpDueAt) ?? decidedAt };
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
  eventTypes: ['RequestLogged', 'Decided', 'FollowedUp', 'CaseClosed'],
  apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    return foldCaseRows(tx, tables[FOLLOW_UP_QUEUE], events, evolveFollowUpRow);
  },
});
