import type { EntitlementContest } from '../legal/legal-floor';
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
  | CustomerDataErased;

export type CaseEventType = CaseEvent['type'];

/**
 * Every event type once. A Record, so that an event added to the CaseEvent union and not listed
 * here (or listed and not in the union) does not compile; the keys keep this order.
 */
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
};

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
