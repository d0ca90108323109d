import type { EntitlementContest } from '../legal/legal-floor';
import type { LegalSource } from '../legal/legal-rules';
import { AuthorityLevel } from '../shared/actor';
import { Money } from '../shared/money';
import { EvaluationResult, RuleName } from '../policy/evaluate-request';
import { Priority } from '../policy/policy';
import { Alternative, Evidence, Outcome, RefundRequest } from './request';

/**
 * The facts of a refund case, past tense. Each is appended to the case's stream; `data` is what
 * the domain needs to fold state, while actor, correlation and hashes live in the store's metadata.
 */
export interface RequestLogged {
  readonly type: 'RequestLogged';
  readonly data: RefundRequest & { readonly caseId: string; readonly loggedAt: string; readonly loggedBy: string };
}

export interface NoteAdded {
  readonly type: 'NoteAdded';
  readonly data: {
    readonly caseId: string;
    readonly noteId: string;
    readonly text: string;
    readonly evidence: readonly Evidence[];
    readonly addedBy: string;
    readonly addedAt: string;
  };
}

export interface PolicyEvaluated {
  readonly type: 'PolicyEvaluated';
  readonly data: Omit<EvaluationResult, 'escalation'> & {
    readonly caseId: string;
    readonly evaluatedBy: string;
    readonly evaluatedAt: string;
  };
}

export interface Escalated {
  readonly type: 'Escalated';
  readonly data: {
    readonly caseId: string;
    readonly reason: string;
    /** The rules behind an automatic escalation; empty when escalated by hand. */
    readonly reasonCodes: readonly RuleName[];
    readonly priority: Priority;
    readonly requiredAuthority: AuthorityLevel;
    readonly slaDueAt: string;
    readonly automatic: boolean;
    readonly policyVersion: number;
    readonly escalatedBy: string;
    readonly escalatedAt: string;
  };
}

export interface CaseAssigned {
  readonly type: 'CaseAssigned';
  readonly data: {
    readonly caseId: string;
    readonly assignee: string;
    readonly assignedBy: string;
    readonly assignedAt: string;
  };
}

export interface DecisionAuthority {
  readonly level: AuthorityLevel;
  /** The decider's limit for the case currency under the policy used; null for senior managers. */
  readonly limit: Money | null;
  readonly policyVersion: number;
}

/** When the money a decision sends back is due, and under which rule. */
export interface RefundDue {
  readonly by: string;
  /** `law` when a statutory right sets the deadline (its source named), otherwise the policy's settlement days. */
  readonly under: 'law' | 'policy';
  readonly source: LegalSource | null;
}

export interface Decided {
  readonly type: 'Decided';
  readonly data: {
    readonly caseId: string;
    readonly outcome: Outcome;
    readonly amount: Money | null;
    readonly rationale: string;
    readonly legalBasis: string | null;
    readonly alternativesOffered: readonly Alternative[];
    readonly authority: DecisionAuthority;
    readonly decidedBy: string;
    readonly decidedAt: string;
    /** When the customer should be asked how the resolution went (policy follow-up delay). */
    readonly followUpDueAt: string;
    /** Null when the case was never escalated, otherwise whether the decision came after slaDueAt. */
    readonly slaBreached: boolean | null;
    /** Statutory rights the decider disputed, with evidence; absent when none was. */
    readonly contests?: readonly EntitlementContest[];
    /** Present when the amount is above the policy's four-eyes threshold: no refund before a second person approves. */
    readonly fourEyes?: { readonly threshold: Money };
    /** Money-back outcomes: when the money is due. Absent on other outcomes (and on decisions recorded before deadlines acted). */
    readonly refundDue?: RefundDue;
  };
}

/** A second person approved a decision above the four-eyes threshold; refunds may now be executed. */
export interface DecisionApproved {
  readonly type: 'DecisionApproved';
  readonly data: {
    readonly caseId: string;
    readonly decidedBy: string;
    readonly note: string | null;
    readonly approvedBy: string;
    readonly approvedAt: string;
  };
}

/**
 * The second person refused a decision above the four-eyes threshold: it is void and the case is
 * back where it stood before (waiting for a decision, or for the appeal's verdict).
 */
export interface DecisionRejected {
  readonly type: 'DecisionRejected';
  readonly data: {
    readonly caseId: string;
    readonly decidedBy: string;
    readonly reason: string;
    readonly rejectedBy: string;
    readonly rejectedAt: string;
  };
}

/** The customer disputes a denial or partial outcome; the case goes back to the managers as an appeal. */
export interface DecisionAppealed {
  readonly type: 'DecisionAppealed';
  readonly data: {
    readonly caseId: string;
    readonly reason: string;
    readonly evidence: readonly Evidence[];
    /** Whoever decided what is appealed: they may not decide the appeal. */
    readonly firstDecidedBy: string;
    /** At least the authority of the first decision, and a manager's. */
    readonly requiredAuthority: AuthorityLevel;
    readonly priority: Priority;
    readonly slaDueAt: string;
    readonly policyVersion: number;
    readonly appealedBy: string;
    readonly appealedAt: string;
  };
}

export const APPEAL_VERDICTS = ['upheld', 'overturned'] as const;
export type AppealVerdict = (typeof APPEAL_VERDICTS)[number];

/** A second decider's verdict on an appeal: the first decision stands, or a new one replaces it. */
export interface AppealDecided {
  readonly type: 'AppealDecided';
  readonly data: {
    readonly caseId: string;
    readonly verdict: AppealVerdict;
    readonly rationale: string;
    readonly authority: DecisionAuthority;
    readonly decidedBy: string;
    readonly decidedAt: string;
    readonly slaBreached: boolean;
    /** The decision that replaces the first one when overturned; null when upheld. */
    readonly decision: Omit<Decided['data'], 'caseId'> | null;
  };
}

export const DEADLINES = ['decision_sla', 'appeal_sla', 'refund_settlement', 'follow_up'] as const;
export type Deadline = (typeof DEADLINES)[number];

/**
 * A deadline passed with nothing done: recorded once per deadline (its kind and due time) by the
 * scheduler. A missed decision deadline moves the case up: priority and authority one level higher.
 */
export interface DeadlineMissed {
  readonly type: 'DeadlineMissed';
  readonly data: {
    readonly caseId: string;
    readonly deadline: Deadline;
    readonly dueAt: string;
    /** Where the case moved to; null for deadlines that only flag (refunds, follow-ups). */
    readonly raisedTo: { readonly priority: Priority; readonly requiredAuthority: AuthorityLevel } | null;
    readonly recordedBy: string;
    readonly missedAt: string;
  };
}

export interface CustomerNotified {
  readonly type: 'CustomerNotified';
  readonly data: {
    readonly caseId: string;
    readonly channel: NotificationChannel;
    readonly locale: string;
    readonly subject: string;
    readonly body: string;
    readonly notifiedBy: string;
    readonly notifiedAt: string;
  };
}

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'phone', 'chat', 'letter'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

interface RefundExecutionData {
  readonly caseId: string;
  readonly method: string;
  readonly amount: Money;
  readonly reference: string;
  readonly recordedBy: string;
}

export interface RefundIssued {
  readonly type: 'RefundIssued';
  readonly data: RefundExecutionData & { readonly issuedAt: string };
}
export interface RefundSettled {
  readonly type: 'RefundSettled';
  readonly data: RefundExecutionData & { readonly settledAt: string };
}
export interface RefundFailed {
  readonly type: 'RefundFailed';
  readonly data: RefundExecutionData & { readonly failedAt: string; readonly failureReason: string };
}

export interface FollowedUp {
  readonly type: 'FollowedUp';
  readonly data: {
    readonly caseId: string;
    readonly satisfaction: 1 | 2 | 3 | 4 | 5;
    readonly comment: string | null;
    readonly channel: string;
    readonly recordedBy: string;
    readonly followedUpAt: string;
  };
}

export interface CaseClosed {
  readonly type: 'CaseClosed';
  readonly data: {
    readonly caseId: string;
    readonly summary: string;
    readonly closedBy: string;
    readonly closedAt: string;
  };
}

/**
 * The customer's personal data in this case can no longer be read: their key was destroyed.
 * Recorded in every case of the customer, even closed ones; the history stays verifiable.
 */
export interface CustomerDataErased {
  readonly type: 'CustomerDataErased';
  readonly data: {
    readonly caseId: string;
    readonly customerId: string;
    readonly erasedBy: string;
    readonly erasedAt: string;
  };
}

export type CaseEvent =
  | RequestLogged
  | NoteAdded
  | PolicyEvaluated
  | Escalated
  | CaseAssigned
  | Decided
  | CustomerNotified
  | RefundIssued
  | RefundSettled
  | RefundFailed
  | FollowedUp
  | CaseClosed
  | CustomerDataErased
  | DecisionApproved
  | DecisionRejected
  | DecisionAppealed
  | AppealDecided
  | DeadlineMissed;

export type CaseEventType = CaseEvent['type'];

/**
 * Every event type once. A Record, so that an event added to the CaseEvent union and not listed
 * here (or listed and not in the union) does not compile; the keys keep this order.
 */
// Stryker disable BooleanLiteral: only the keys are read; each `true` is there for the type checker, so `false` is the same program.
const CASE_EVENT_TYPE_SET: { readonly [T in CaseEventType]: true } = {
  RequestLogged: true,
  NoteAdded: true,
  PolicyEvaluated: true,
  Escalated: true,
  CaseAssigned: true,
  Decided: true,
  CustomerNotified: true,
  RefundIssued: true,
  RefundSettled: true,
  RefundFailed: true,
  FollowedUp: true,
  CaseClosed: true,
  CustomerDataErased: true,
  DecisionApproved: true,
  DecisionRejected: true,
  DecisionAppealed: true,
  AppealDecided: true,
  DeadlineMissed: true,
};
// Stryker restore BooleanLiteral

export const CASE_EVENT_TYPES = Object.keys(CASE_EVENT_TYPE_SET) as readonly CaseEventType[];

export const isCaseEventType = (type: string): type is CaseEventType =>
  (CASE_EVENT_TYPES as readonly string[]).includes(type);

/**
 * The type of a stored event as a CaseEventType, or null when this version does not know it.
 * Switch on it, list every type (those a reader ignores too) and end with assertNever, so a new
 * event type is a compile error in every reader that must decide what to do with it.
 */
export const knownCaseEventType = (type: string): CaseEventType | null => (isCaseEventType(type) ? type : null);

/** Schema version of each event type's data; bump with an upcaster when a shape changes. */
export const CASE_EVENT_SCHEMA_VERSION = 1;
