import { SqlExecutor } from '@refund-desk/database';
import { assertNever, knownCaseEventType, POLICY_STREAM } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { CaseRow, foldCaseRows, upsertRows } from '../shared/case-rows';
import { bool, customerOf, int, money, obj, str, time } from '../shared/event-data';

export const CASE_FACTS = 'rm_case_facts';
export const POLICY_REVISIONS = 'rm_policy_revisions';

/**
 * One row per case with the facts trends and insights aggregate: its dimensions (reason,
 * category, product, channel), when each step happened, and what it cost. Aggregates are
 * computed at query time with SQL, so any period and grouping can be asked for.
 */
export interface CaseFactsRow extends CaseRow {
  readonly customer_id: string | null;
  readonly logged_at: string | null;
  readonly channel: string | null;
  readonly reason_code: string | null;
  readonly category: string | null;
  readonly product_sku: string | null;
  readonly currency: string | null;
  readonly amount_minor: number | null;
  readonly evaluated_at: string | null;
  readonly within_policy: boolean | null;
  readonly evaluation_policy_version: number | null;
  readonly window_days: number | null;
  readonly days_over_window: number | null;
  readonly repeat_requester: boolean | null;
  readonly escalated_at: string | null;
  readonly priority: string | null;
  readonly sla_due_at: string | null;
  readonly decided_at: string | null;
  readonly outcome: string | null;
  readonly decision_minor: number | null;
  readonly decision_policy_version: number | null;
  readonly settled_at: string | null;
  readonly refunded_minor: number | null;
  readonly satisfaction: number | null;
  readonly followed_up_at: string | null;
  readonly closed_at: string | null;
  /** Who took the decision in force at first instance: appeals and overturns are counted against them. */
  readonly first_decided_by: string | null;
  /** A decision waiting for its second approver: the first decision, or an appeal's overturn. */
  readonly pending_approval: 'decision' | 'overturn' | null;
  readonly appealed_at: string | null;
  readonly appeal_decided_at: string | null;
  readonly appeal_verdict: string | null;
  readonly appeal_decided_by: string | null;
  /** When second approvers approved and rejected decisions, and deadlines were missed: each a count over time. */
  readonly four_eyes_approved: readonly string[];
  readonly four_eyes_rejected: readonly string[];
  readonly deadlines_missed: readonly { readonly deadline: string | null; readonly at: string }[];
}

const FACTS: ReadModelTable = {
  name: CASE_FACTS,
  columns: `case_id text PRIMARY KEY,
    version integer NOT NULL,
    customer_id text,
    logged_at timestamptz,
    channel text,
    reason_code text,
    category text,
    product_sku text,
    currency text,
    amount_minor bigint,
    evaluated_at timestamptz,
    within_policy boolean,
    evaluation_policy_version integer,
    window_days integer,
    days_over_window integer,
    repeat_requester boolean,
    escalated_at timestamptz,
    priority text,
    sla_due_at timestamptz,
    decided_at timestamptz,
    outcome text,
    decision_minor bigint,
    decision_policy_version integer,
    settled_at timestamptz,
    refunded_minor bigint,
    satisfaction smallint,
    followed_up_at timestamptz,
    closed_at timestamptz,
    first_decided_by text,
    pending_approval text,
    appealed_at timestamptz,
    appeal_decided_at timestamptz,
    appeal_verdict text,
    appeal_decided_by text,
    four_eyes_approved jsonb NOT NULL,
    four_eyes_rejected jsonb NOT NULL,
    deadlines_missed jsonb NOT NULL`,
  indexes: ['(logged_at)', '(decided_at)', '(customer_id, logged_at)'],
};

const REVISIONS: ReadModelTable = {
  name: POLICY_REVISIONS,
  columns: `version integer PRIMARY KEY,
    revised_at timestamptz NOT NULL,
    revised_by text,
    change_note text,
    rules jsonb`,
};

const emptyFacts = (caseId: string, event: RecordedEvent): CaseFactsRow => ({
  case_id: caseId,
  version: 0,
  customer_id: customerOf(event.data, event.metadata),
  logged_at: null,
  channel: null,
  reason_code: null,
  category: null,
  product_sku: null,
  currency: null,
  amount_minor: null,
  evaluated_at: null,
  within_policy: null,
  evaluation_policy_version: null,
  window_days: null,
  days_over_window: null,
  repeat_requester: null,
  escalated_at: null,
  priority: null,
  sla_due_at: null,
  decided_at: null,
  outcome: null,
  decision_minor: null,
  decision_policy_version: null,
  settled_at: null,
  refunded_minor: null,
  satisfaction: null,
  followed_up_at: null,
  closed_at: null,
  first_decided_by: null,
  pending_approval: null,
  appealed_at: null,
  appeal_decided_at: null,
  appeal_verdict: null,
  appeal_decided_by: null,
  four_eyes_approved: [],
  four_eyes_rejected: [],
  deadlines_missed: [],
});

const NO_APPEAL = { appealed_at: null, appeal_decided_at: null, appeal_verdict: null, appeal_decided_by: null } as const;

const finding = (data: Readonly<Record<string, unknown>>, rule: string): Readonly<Record<string, unknown>> | undefined => {
  const findings = Array.isArray(data.findings) ? data.findings : [];
  const found: unknown = findings.find((f) => obj(f).rule === rule);
  return found === undefined ? undefined : obj(found);
};

export function evolveCaseFacts(row: CaseFactsRow | undefined, event: RecordedEvent, caseId: string): CaseFactsRow | undefined {
  const data = event.data;
  const base = row ?? emptyFacts(caseId, event);
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged': {
      if (row) return row;
      const product = obj(data.product);
      const amount = obj(data.amount);
      return {
        ...base,
        logged_at: time(data.loggedAt) ?? event.recordedAt,
        channel: str(data.channel),
        reason_code: str(obj(data.reason).code),
        category: str(product.category),
        product_sku: str(product.sku),
        currency: str(amount.currency),
        amount_minor: int(amount.minor),
      };
    }
    case 'PolicyEvaluated': {
      const window = finding(data, 'return_window');
      const repeat = finding(data, 'repeat_requester');
      return {
        ...base,
        evaluated_at: time(data.evaluatedAt) ?? event.recordedAt,
        within_policy: bool(data.withinPolicy),
        evaluation_policy_version: int(data.policyVersion),
        window_days: int(obj(window?.inputs).windowDays),
        days_over_window: int(obj(window?.inputs).daysOverWindow),
        repeat_requester: repeat ? repeat.result === 'flag' : null,
      };
    }
    case 'Escalated':
      return {
        ...base,
        escalated_at: time(data.escalatedAt) ?? event.recordedAt,
        priority: str(data.priority),
        sla_due_at: time(data.slaDueAt),
      };
    case 'Decided':
      return {
        ...base,
        decided_at: time(data.decidedAt) ?? event.recordedAt,
        outcome: str(data.outcome),
        decision_minor: money(data.amount)?.minor ?? null,
        decision_policy_version: int(obj(data.authority).policyVersion),
        first_decided_by: str(data.decidedBy),
        pending_approval: data.fourEyes ? 'decision' : null,
        ...NO_APPEAL,
      };
    case 'DecisionApproved': {
      if (!base.pending_approval) return row;
      return { ...base, pending_approval: null, four_eyes_approved: [...base.four_eyes_approved, time(data.approvedAt) ?? event.recordedAt] };
    }
    case 'DecisionRejected': {
      if (!base.pending_approval) return row;
      const rejected = { ...base, pending_approval: null, four_eyes_rejected: [...base.four_eyes_rejected, time(data.rejectedAt) ?? event.recordedAt] };
      // A void overturn: the appeal waits for its verdict again. A void first decision: the case is undecided again.
      if (base.pending_approval === 'overturn') return { ...rejected, appeal_decided_at: null, appeal_verdict: null, appeal_decided_by: null };
      return { ...rejected, decided_at: null, outcome: null, decision_minor: null, decision_policy_version: null, first_decided_by: null };
    }
    case 'DecisionAppealed':
      return base.appealed_at === null ? { ...base, appealed_at: time(data.appealedAt) ?? event.recordedAt } : row;
    case 'AppealDecided': {
      if (base.appealed_at === null || base.appeal_decided_at !== null) return row;
      const overturn = obj(data.decision);
      return {
        ...base,
        appeal_decided_at: time(data.decidedAt) ?? event.recordedAt,
        appeal_verdict: str(data.verdict),
        appeal_decided_by: str(data.decidedBy),
        pending_approval: data.decision && overturn.fourEyes ? 'overturn' : null,
      };
    }
    case 'DeadlineMissed':
      return { ...base, deadlines_missed: [...base.deadlines_missed, { deadline: str(data.deadline), at: time(data.missedAt) ?? event.recordedAt }] };
    case 'RefundSettled':
      return { ...base, settled_at: time(data.settledAt) ?? event.recordedAt, refunded_minor: money(data.amount)?.minor ?? null };
    case 'FollowedUp': {
      const satisfaction = int(data.satisfaction);
      return {
        ...base,
        followed_up_at: time(data.followedUpAt) ?? event.recordedAt,
        satisfaction: satisfaction !== null && satisfaction >= 1 && satisfaction <= 5 ? satisfaction : null,
      };
    }
    case 'CaseClosed':
      return { ...base, closed_at: time(data.closedAt) ?? event.recordedAt };
    // Facts this read model does not show; null: a type this version does not know.
    case 'NoteAdded':
    case 'CaseAssigned':
    case 'CustomerNotified':
    case 'RefundIssued':
    case 'RefundFailed':
    case 'CustomerDataErased':
    case null:
      return row;
    default:
      return assertNever(type, 'case event type');
  }
}

export const trendAnalyticsProjection = defineProjection({
  name: 'trend_analytics',
  tables: [FACTS, REVISIONS],
  eventTypes: [
    'RequestLogged',
    'PolicyEvaluated',
    'Escalated',
    'Decided',
    'DecisionApproved',
    'DecisionRejected',
    'DecisionAppealed',
    'AppealDecided',
    'DeadlineMissed',
    'RefundSettled',
    'FollowedUp',
    'CaseClosed',
    'PolicyRevised',
  ],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await foldCaseRows(tx, tables[CASE_FACTS], events, evolveCaseFacts);
    // The policy stream's version is the policy version; a revision's row never changes.
    const revisions = new Map<number, object>();
    for (const event of events) {
      if (event.type !== 'PolicyRevised' || event.streamId !== POLICY_STREAM) continue;
      revisions.set(event.version, {
        version: event.version,
        revised_at: time(event.data.revisedAt) ?? event.recordedAt,
        revised_by: str(event.data.revisedBy),
        change_note: str(event.data.changeNote),
        rules: obj(event.data.rules),
      });
    }
    await upsertRows(tx, tables[POLICY_REVISIONS], 'version', [...revisions.values()]);
  },
});
