import { assertNever, knownCaseEventType } from '@refund-desk/domain';
import { SqlExecutor } from '@refund-desk/database';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { customerOf, money, obj, str, time } from '../shared/event-data';

export const CUSTOMER_HISTORY = 'rm_customer_history';

export interface CustomerHistoryRow extends CaseRow {
  readonly customer_id: string | null;
  readonly logged_at: string | null;
  readonly outcome: string | null;
  readonly refunded_minor: number;
  readonly currency: string | null;
  /** The decision waits for a second approver: a rejection voids it. */
  readonly pending_approval: boolean;
  /** The decision an overturning verdict replaced, which a rejected overturn brings back. */
  readonly replaced: { readonly outcome: string | null; readonly pending_approval: boolean } | null;
}

const TABLE: ReadModelTable = {
  name: CUSTOMER_HISTORY,
  columns: `case_id text PRIMARY KEY,
    version integer NOT NULL,
    customer_id text,
    logged_at timestamptz,
    outcome text,
    refunded_minor bigint NOT NULL,
    currency text,
    pending_approval boolean NOT NULL,
    replaced jsonb`,
  indexes: ['(customer_id, logged_at)'],
};

export function evolveCustomerHistoryRow(row: CustomerHistoryRow | undefined, event: RecordedEvent, caseId: string): CustomerHistoryRow | undefined {
  const data = event.data;
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged':
      return (
        row ?? {
          case_id: caseId,
          version: 0,
          customer_id: customerOf(data, event.metadata),
          logged_at: time(data.loggedAt) ?? event.recordedAt,
          outcome: null,
          refunded_minor: 0,
          currency: str(obj(data.amount).currency),
          pending_approval: false,
          replaced: null,
        }
      );
    case 'Decided':
      return row && { ...row, outcome: str(data.outcome), pending_approval: Boolean(data.fourEyes), replaced: null };
    case 'AppealDecided': {
      if (!row || !data.decision) return row;
      const decision = obj(data.decision);
      return { ...row, outcome: str(decision.outcome), pending_approval: Boolean(decision.fourEyes), replaced: { outcome: row.outcome, pending_approval: row.pending_approval } };
    }
    case 'DecisionApproved':
      return row?.pending_approval ? { ...row, pending_approval: false } : row;
    case 'DecisionRejected':
      // A void decision did not decide the case: it counts as the decision before it, or none.
      if (!row?.pending_approval) return row;
      return row.replaced ? { ...row, ...row.replaced, replaced: null } : { ...row, outcome: null, pending_approval: false };
    case 'RefundSettled':
      return row && { ...row, refunded_minor: money(data.amount)?.minor ?? row.refunded_minor };
    // Facts this read model does not show; null: a type this version does not know.
    case 'NoteAdded':
    case 'PolicyEvaluated':
    case 'Escalated':
    case 'CaseAssigned':
    case 'CustomerNotified':
    case 'RefundIssued':
    case 'RefundFailed':
    case 'FollowedUp':
    case 'CaseClosed':
    case 'CustomerDataErased':
    case 'DecisionAppealed':
    case 'DeadlineMissed':
    case null:
      return row;
    default:
      return assertNever(type, 'case event type');
  }
}

/**
 * One row per case with what evaluation needs about a customer's past: when each case was
 * logged, how it was decided and what was refunded. Keeps no personal data.
 */
export const customerHistoryProjection = defineProjection({
  name: 'customer_history',
  tables: [TABLE],
  eventTypes: ['RequestLogged', 'Decided', 'AppealDecided', 'DecisionApproved', 'DecisionRejected', 'RefundSettled'],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await foldCaseRows(tx, tables[CUSTOMER_HISTORY], events, evolveCustomerHistoryRow);
  },
});
