import type { EntitlementContest } from '../legal/legal-floor';
import type { LegalRulesInForce } from '../legal/legal-rules';
import { Actor } from '../shared/actor';
import { Money } from '../shared/money';
import { CustomerHistory } from '../policy/evaluate-request';
import { PolicyInForce, Priority } from '../policy/policy';
import { AppealVerdict, Deadline, NotificationChannel } from './events';
import { Alternative, Evidence, Outcome, RefundRequest } from './request';

/**
 * Commands in the imperative. Time, ids, the policy in force and the customer's history are
 * inputs, so decide() never reads a clock or a database.
 */
export interface CommandBase {
  readonly actor: Actor;
  readonly now: Date;
}

export interface LogRequest extends CommandBase {
  readonly type: 'LogRequest';
  readonly caseId: string;
  readonly request: RefundRequest;
}

export interface AddNote extends CommandBase {
  readonly type: 'AddNote';
  readonly noteId: string;
  readonly text: string;
  readonly evidence: readonly Evidence[];
}

export interface EvaluateCase extends CommandBase {
  readonly type: 'EvaluateCase';
  readonly policy: PolicyInForce;
  readonly history: CustomerHistory;
  /** The consumer law in force; without it the evaluation records no legal floor. */
  readonly law?: LegalRulesInForce;
}

export interface EscalateCase extends CommandBase {
  readonly type: 'EscalateCase';
  readonly reason: string;
  readonly priority: Priority;
  readonly policy: PolicyInForce;
}

export interface AssignCase extends CommandBase {
  readonly type: 'AssignCase';
  readonly assignee: string;
}

export interface DecideCase extends CommandBase {
  readonly type: 'DecideCase';
  readonly outcome: Outcome;
  readonly amount: Money | null;
  readonly rationale: string;
  readonly legalBasis: string | null;
  readonly alternativesOffered: readonly Alternative[];
  readonly policy: PolicyInForce;
  /** Statutory rights the decider disputes, with the evidence; needs senior manager authority. */
  readonly contests?: readonly EntitlementContest[];
}

/** The message is rendered outside the domain (it needs message catalogues) from the decided state. */
export interface NotifyCustomer extends CommandBase {
  readonly type: 'NotifyCustomer';
  readonly channel: NotificationChannel;
  readonly message: { readonly locale: string; readonly subject: string; readonly body: string };
}

export interface RecordRefundExecution extends CommandBase {
  readonly type: 'RecordRefundExecution';
  readonly status: 'issued' | 'settled' | 'failed';
  readonly method: string;
  readonly amount: Money;
  readonly reference: string;
  readonly failureReason: string | null;
}

export interface RecordFollowUp extends CommandBase {
  readonly type: 'RecordFollowUp';
  readonly satisfaction: number;
  readonly comment: string | null;
  readonly channel: string;
}

export interface CloseCase extends CommandBase {
  readonly type: 'CloseCase';
  readonly summary: string;
}

/** Part of erasing a customer's personal data: the key is destroyed outside the domain. */
export interface EraseCustomerData extends CommandBase {
  readonly type: 'EraseCustomerData';
  readonly customerId: string;
}

/** Four eyes: a second person approves a decision above the policy's threshold. */
export interface ApproveDecision extends CommandBase {
  readonly type: 'ApproveDecision';
  readonly note: string | null;
}

/** Four eyes: a second person refuses a decision above the threshold; it is void. */
export interface RejectDecision extends CommandBase {
  readonly type: 'RejectDecision';
  readonly reason: string;
}

/** The customer (through an agent or another service) disputes a denial or partial outcome. */
export interface AppealDecision extends CommandBase {
  readonly type: 'AppealDecision';
  readonly reason: string;
  readonly evidence: readonly Evidence[];
  readonly policy: PolicyInForce;
}

/** The verdict on an appeal; an overturning verdict carries the new decision. */
export interface DecideAppeal extends CommandBase {
  readonly type: 'DecideAppeal';
  readonly verdict: AppealVerdict;
  readonly rationale: string;
  /** Required when overturned, refused when upheld: the decision that replaces the first one. */
  readonly decision: {
    readonly outcome: Outcome;
    readonly amount: Money | null;
    readonly legalBasis: string | null;
    readonly alternativesOffered: readonly Alternative[];
    readonly contests?: readonly EntitlementContest[];
  } | null;
  readonly policy: PolicyInForce;
}

/**
 * Sent by the deadline scheduler for a deadline it found due. Recording nothing is a valid answer:
 * the deadline was met meanwhile, is not due yet, or was recorded by another scheduler already.
 */
export interface RecordDeadlineMissed extends CommandBase {
  readonly type: 'RecordDeadlineMissed';
  readonly deadline: Deadline;
  readonly dueAt: string;
}

export type CaseCommand =
  | LogRequest
  | AddNote
  | EvaluateCase
  | EscalateCase
  | AssignCase
  | DecideCase
  | NotifyCustomer
  | RecordRefundExecution
  | RecordFollowUp
  | CloseCase
  | EraseCustomerData
  | ApproveDecision
  | RejectDecision
  | AppealDecision
  | DecideAppeal
  | RecordDeadlineMissed;
