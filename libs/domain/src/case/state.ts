import { Money } from '../shared/money';
import {
  AppealDecided,
  DeadlineMissed,
  DecisionAppealed,
  CaseAssigned,
  CaseClosed,
  CustomerNotified,
  Decided,
  Escalated,
  FollowedUp,
  NoteAdded,
  PolicyEvaluated,
} from './events';
import { RefundRequest } from './request';

type WithoutCaseId<T> = Omit<T, 'caseId'>;

export type Note = WithoutCaseId<NoteAdded['data']>;
export type EvaluationRecord = WithoutCaseId<PolicyEvaluated['data']>;
export type EscalationRecord = WithoutCaseId<Escalated['data']>;
export type Assignment = WithoutCaseId<CaseAssigned['data']>;
export type Decision = WithoutCaseId<Decided['data']>;
export type Communication = WithoutCaseId<CustomerNotified['data']>;
export type FollowUpRecord = WithoutCaseId<FollowedUp['data']>;
export type Closure = WithoutCaseId<CaseClosed['data']>;
export type MissedDeadline = Pick<DeadlineMissed['data'], 'deadline' | 'dueAt' | 'missedAt'>;

/** Four eyes: whether a decision may be acted on yet. */
export type Approval =
  | { readonly status: 'not_required' }
  | { readonly status: 'pending'; readonly threshold: Money }
  | {
      readonly status: 'approved';
      readonly threshold: Money;
      readonly approvedBy: string;
      readonly approvedAt: string;
      readonly note: string | null;
    };

export const approvalOf = (decision: Decision): Approval =>
  decision.fourEyes ? { status: 'pending', threshold: decision.fourEyes.threshold } : { status: 'not_required' };

export interface AppealVerdictRecord extends Omit<WithoutCaseId<AppealDecided['data']>, 'decision'> {
  /** What an overturning verdict replaced, so that a rejected replacement restores it. */
  readonly replaced: { readonly decision: Decision; readonly approval: Approval } | null;
}

export interface AppealRecord extends WithoutCaseId<DecisionAppealed['data']> {
  /** Null while the appeal waits for a decision. */
  readonly verdict: AppealVerdictRecord | null;
}

export type RefundStatus = 'not_started' | 'issued' | 'settled' | 'failed';

export interface RefundFailure {
  readonly method: string;
  readonly amount: Money;
  readonly reference: string;
  readonly reason: string;
  readonly failedAt: string;
}

/** Where the money stands for a money-back decision; every failure is kept. */
export interface RefundTracking {
  readonly status: RefundStatus;
  readonly method: string | null;
  readonly amount: Money | null;
  readonly reference: string | null;
  readonly issuedAt: string | null;
  readonly settledAt: string | null;
  readonly failures: readonly RefundFailure[];
}

export const NO_REFUND: RefundTracking = {
  status: 'not_started',
  method: null,
  amount: null,
  reference: null,
  issuedAt: null,
  settledAt: null,
  failures: [],
};

/** What every logged case has, whatever its status. */
export interface CaseFile {
  readonly caseId: string;
  readonly request: RefundRequest;
  readonly loggedAt: string;
  readonly loggedBy: string;
  readonly notes: readonly Note[];
  /** When the customer's personal data in this case was erased; null while it is readable. */
  readonly personalDataErasedAt: string | null;
  /** Deadlines the scheduler recorded as missed, each once. */
  readonly deadlinesMissed: readonly MissedDeadline[];
}

export interface NoCase {
  readonly status: 'none';
}
export interface LoggedCase extends CaseFile {
  readonly status: 'logged';
}
export interface EvaluatedCase extends CaseFile {
  readonly status: 'evaluated';
  readonly evaluation: EvaluationRecord;
}
export interface EscalatedCase extends CaseFile {
  readonly status: 'escalated';
  readonly evaluation: EvaluationRecord;
  readonly escalation: EscalationRecord;
  readonly assignment: Assignment | null;
}
export interface DecidedCase extends CaseFile {
  readonly status: 'decided';
  readonly evaluation: EvaluationRecord;
  readonly escalation: EscalationRecord | null;
  readonly assignment: Assignment | null;
  readonly decision: Decision;
  readonly approval: Approval;
  readonly appeal: AppealRecord | null;
  readonly communications: readonly Communication[];
  readonly refund: RefundTracking;
  readonly followUp: FollowUpRecord | null;
}
export interface ClosedCase extends CaseFile {
  readonly status: 'closed';
  readonly closedFrom: OpenStatus;
  readonly evaluation: EvaluationRecord | null;
  readonly escalation: EscalationRecord | null;
  readonly assignment: Assignment | null;
  readonly decision: Decision | null;
  readonly approval: Approval | null;
  readonly appeal: AppealRecord | null;
  readonly communications: readonly Communication[];
  readonly refund: RefundTracking | null;
  readonly followUp: FollowUpRecord | null;
  readonly closure: Closure;
}

export type OpenCase = LoggedCase | EvaluatedCase | EscalatedCase | DecidedCase;
export type OpenStatus = OpenCase['status'];
export type ExistingCase = OpenCase | ClosedCase;
export type CaseState = NoCase | ExistingCase;
export type CaseStatus = CaseState['status'];

export const initialCaseState = (): CaseState => ({ status: 'none' });
