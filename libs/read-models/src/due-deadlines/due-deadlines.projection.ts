import { SqlExecutor } from '@refund-desk/database';
import { assertNever, Deadline, knownCaseEventType } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows } from '../shared/case-rows';
import { Data, money, obj, str, time } from '../shared/event-data';

export const DEADLINE_CASES = 'rm_deadline_cases';
export const DUE_DEADLINES = 'rm_due_deadlines';

/** What a decision sets running: the money it owes and when the customer is asked how it went. */
interface DecisionClock {
  readonly decidedAt: string | null;
  readonly followUpDueAt: string | null;
  readonly amount: { readonly minor: number; readonly currency: string } | null;
  readonly refundDue: { readonly by: string; readonly under: string | null } | null;
  readonly pendingApproval: boolean;
}

/**
 * Only what decides a case's deadlines, folded as the domain folds a case (evolve.ts), so that the
 * rows below equal `openDeadlines(state)`; it holds no personal data. A decision replaced by an
 * overturning verdict is kept, because a rejected replacement brings it back.
 */
export interface DeadlineCaseState {
  readonly status: 'logged' | 'evaluated' | 'escalated' | 'decided' | 'closed';
  /** Whether the case is or was (before its decision) escalated, and the escalation's deadline. */
  readonly escalated: boolean;
  readonly escalationSlaDueAt: string | null;
  readonly decision: DecisionClock | null;
  readonly appeal: { readonly slaDueAt: string | null; readonly decided: boolean; readonly replaced: DecisionClock | null } | null;
  readonly refundSettled: boolean;
  readonly followedUp: boolean;
  readonly missed: readonly { readonly deadline: string; readonly dueAt: string | null; readonly missedAt: string | null }[];
}

export interface DeadlineCaseRow extends CaseRow {
  readonly state: DeadlineCaseState;
}

/** A deadline a case runs against; `missed_at` set once the scheduler recorded it missed. */
export interface DueDeadlineRow {
  readonly case_id: string;
  readonly deadline: Deadline;
  /** Exactly as the event gave it: RecordDeadlineMissed matches the domain's due time as a string. */
  readonly due: string;
  readonly due_at: string;
  readonly missed_at: string | null;
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly under: string | null;
  readonly decided_at: string | null;
}

const CASES: ReadModelTable = {
  name: DEADLINE_CASES,
  columns: `case_id text PRIMARY KEY,
    version integer NOT NULL,
    state jsonb NOT NULL`,
};

const DEADLINE_ROWS: ReadModelTable = {
  name: DUE_DEADLINES,
  // The key leads with case_id: each batch deletes the rows of the cases it changed, rebuilds too.
  columns: `case_id text NOT NULL,
    deadline text NOT NULL,
    due text NOT NULL,
    due_at timestamptz NOT NULL,
    missed_at timestamptz,
    amount_minor bigint,
    currency text,
    under text,
    decided_at timestamptz,
    PRIMARY KEY (case_id, deadline)`,
  indexes: [`(due_at, case_id, deadline) WHERE missed_at IS NULL`, `(due_at, case_id) WHERE deadline = 'refund_settlement' AND missed_at IS NOT NULL`],
};

const decisionClock = (data: Data): DecisionClock => {
  const due = obj(data.refundDue);
  const by = str(due.by);
  return {
    decidedAt: str(data.decidedAt),
    followUpDueAt: str(data.followUpDueAt),
    amount: money(data.amount),
    refundDue: by === null ? null : { by, under: str(due.under) },
    pendingApproval: Boolean(data.fourEyes),
  };
};

/** Folds one event; the same guards as the domain's evolve, so odd histories fold the same way. */
export function evolveDeadlineCase(row: DeadlineCaseRow | undefined, event: RecordedEvent, caseId: string): DeadlineCaseRow | undefined {
  const data = event.data;
  const type = knownCaseEventType(event.type);
  const s = row?.state;
  const next = (state: DeadlineCaseState): DeadlineCaseRow => ({ case_id: caseId, version: row?.version ?? 0, state });
  switch (type) {
    case 'RequestLogged':
      return row ?? next({ status: 'logged', escalated: false, escalationSlaDueAt: null, decision: null, appeal: null, refundSettled: false, followedUp: false, missed: [] });
    case 'PolicyEvaluated':
      return s && (s.status === 'logged' || s.status === 'evaluated') ? next({ ...s, status: 'evaluated' }) : row;
    case 'Escalated':
      return s?.status === 'evaluated' ? next({ ...s, status: 'escalated', escalated: true, escalationSlaDueAt: str(data.slaDueAt) }) : row;
    case 'Decided':
      if (s?.status !== 'evaluated' && s?.status !== 'escalated') return row;
      return next({
        ...s,
        status: 'decided',
        escalated: s.status === 'escalated',
        escalationSlaDueAt: s.status === 'escalated' ? s.escalationSlaDueAt : null,
        decision: decisionClock(data),
        appeal: null,
        refundSettled: false,
        followedUp: false,
      });
    // A refund issued or failed after settling is no longer settled, as in the domain's tracking.
    case 'RefundIssued':
    case 'RefundFailed':
      return s?.status === 'decided' ? next({ ...s, refundSettled: false }) : row;
    case 'RefundSettled':
      return s?.status === 'decided' ? next({ ...s, refundSettled: true }) : row;
    case 'FollowedUp':
      return s?.status === 'decided' ? next({ ...s, followedUp: true }) : row;
    case 'CaseClosed':
      return s && s.status !== 'closed' ? next({ ...s, status: 'closed' }) : row;
    case 'DecisionApproved':
      return s?.status === 'decided' && s.decision?.pendingApproval ? next({ ...s, decision: { ...s.decision, pendingApproval: false } }) : row;
    case 'DecisionRejected': {
      if (s?.status !== 'decided' || !s.decision?.pendingApproval) return row;
      // A rejected overturn: the decision it replaced stands again and the appeal waits again.
      if (s.appeal?.replaced) return next({ ...s, decision: s.appeal.replaced, appeal: { ...s.appeal, decided: false, replaced: null } });
      return next({ ...s, status: s.escalated ? 'escalated' : 'evaluated', decision: null, appeal: null });
    }
    case 'DecisionAppealed':
      return s?.status === 'decided' && !s.appeal ? next({ ...s, appeal: { slaDueAt: str(data.slaDueAt), decided: false, replaced: null } }) : row;
    case 'AppealDecided': {
      if (s?.status !== 'decided' || !s.appeal || s.appeal.decided || !s.decision) return row;
      if (!data.decision) return next({ ...s, appeal: { ...s.appeal, decided: true, replaced: null } });
      return next({ ...s, decision: decisionClock(obj(data.decision)), refundSettled: false, appeal: { ...s.appeal, decided: true, replaced: s.decision } });
    }
    case 'DeadlineMissed':
      return s ? next({ ...s, missed: [...s.missed, { deadline: String(data.deadline), dueAt: str(data.dueAt), missedAt: str(data.missedAt) }] }) : row;
    // Facts that start or stop no deadline; null: a type this version does not know.
    case 'NoteAdded':
    case 'CaseAssigned':
    case 'CustomerNotified':
    case 'CustomerDataErased':
    case null:
      return row;
    default:
      return assertNever(type, 'case event type');
  }
}

/**
 * The case's deadlines as `openDeadlines` lists them, with those recorded as missed kept and marked
 * (openDeadlines leaves them out: the scheduler must not record them twice, but a late refund stays
 * on the late list until it settles).
 */
export function deadlineRows(caseId: string, s: DeadlineCaseState): DueDeadlineRow[] {
  const open: { deadline: Deadline; due: string | null; clock: DecisionClock | null }[] = [];
  if (s.status === 'escalated') open.push({ deadline: 'decision_sla', due: s.escalationSlaDueAt, clock: null });
  if (s.status === 'decided' && s.decision) {
    if (s.appeal && !s.appeal.decided) open.push({ deadline: 'appeal_sla', due: s.appeal.slaDueAt, clock: null });
    if (s.decision.refundDue && !s.refundSettled) open.push({ deadline: 'refund_settlement', due: s.decision.refundDue.by, clock: s.decision });
    if (!s.followedUp) open.push({ deadline: 'follow_up', due: s.decision.followUpDueAt, clock: null });
  }
  return open.flatMap(({ deadline, due, clock }) => {
    const dueAt = time(due);
    // A deadline without a readable time cannot be scheduled; the domain would not record it either.
    if (due === null || dueAt === null) return [];
    const missed = s.missed.find((m) => m.deadline === deadline && m.dueAt === due);
    return [
      {
        case_id: caseId,
        deadline,
        due,
        due_at: dueAt,
        missed_at: missed ? (time(missed.missedAt) ?? dueAt) : null,
        amount_minor: clock?.amount?.minor ?? null,
        currency: clock?.amount?.currency ?? null,
        under: clock?.refundDue?.under ?? null,
        decided_at: time(clock?.decidedAt),
      },
    ];
  });
}

const ROW_COLUMNS = ['case_id', 'deadline', 'due', 'due_at', 'missed_at', 'amount_minor', 'currency', 'under', 'decided_at'] as const;

/**
 * One row per deadline a case runs against, what the deadline scheduler reads to find those due
 * and the "late refunds" list reads for money past its deadline. Each batch folds the cases it
 * touches and writes their deadline rows again.
 */
export const dueDeadlinesProjection = defineProjection({
  name: 'due_deadlines',
  tables: [CASES, DEADLINE_ROWS],
  eventTypes: [
    'RequestLogged',
    'PolicyEvaluated',
    'Escalated',
    'Decided',
    'RefundIssued',
    'RefundSettled',
    'RefundFailed',
    'FollowedUp',
    'CaseClosed',
    'DecisionApproved',
    'DecisionRejected',
    'DecisionAppealed',
    'AppealDecided',
    'DeadlineMissed',
  ],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    const changed = await foldCaseRows(tx, tables[DEADLINE_CASES], events, evolveDeadlineCase);
    if (changed.length === 0) return;
    const table = tables[DUE_DEADLINES];
    await tx.query(`DELETE FROM ${table} WHERE case_id = ANY($1::text[])`, [changed.map((c) => c.case_id)]);
    const rows = changed.flatMap((c) => deadlineRows(c.case_id, c.state));
    if (rows.length === 0) return;
    await tx.query(`INSERT INTO ${table} (${ROW_COLUMNS.join(', ')}) SELECT ${ROW_COLUMNS.join(', ')} FROM json_populate_recordset(NULL::${table}, $1::json)`, [
      JSON.stringify(rows),
    ]);
  },
});
