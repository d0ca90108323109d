import type { EntitlementContest } from '../legal/legal-floor';
import type { LegalRulesInForce } from '../legal/legal-rules';
import { Actor } from '../shared/actor';
import { Money } from '../shared/money';
import { CustomerHistory } from '../policy/evaluate-request';
import { PolicyInForce, Priority } from '../policy/policy';
import { NotificationChannel } from './events';
import { Alternative, Evidence, Outcome, RefundRequest } from './request';

/**
 * Commands in the imperative. Time, ids, the policy in force and the customer's history are
 * inputs, so decide() never reads a clock or a database.
 */
interface CommandBase {
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
  | EraseCustomerData;
