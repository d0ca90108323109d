import {
  AppealRecord,
  Approval,
  Assignment,
  Closure,
  Communication,
  Decision,
  EscalationRecord,
  EvaluationRecord,
  ExistingCase,
  FollowUpRecord,
  MissedDeadline,
  Note,
  RefundRequest,
  RefundTracking,
} from '@refund-desk/domain';

/** The public shape of a case (GET /v1/cases/{id}); every part is present, null until it happens. */
export interface CaseView {
  readonly caseId: string;
  readonly status: ExistingCase['status'];
  readonly version: number;
  readonly loggedAt: string;
  readonly loggedBy: string;
  readonly request: RefundRequest;
  readonly evaluation: EvaluationRecord | null;
  readonly escalation: (EscalationRecord & { readonly slaBreached: boolean }) | null;
  readonly assignment: Assignment | null;
  readonly decision: Decision | null;
  /** Four eyes on the decision in force; null before a decision. */
  readonly approval: Approval | null;
  readonly appeal: AppealRecord | null;
  readonly deadlinesMissed: readonly MissedDeadline[];
  readonly communications: readonly Communication[];
  readonly refund: RefundTracking | null;
  readonly followUp: FollowUpRecord | null;
  readonly notes: readonly Note[];
  readonly closure: Closure | null;
}

export function toCaseView(state: ExistingCase, version: number, now: Date): CaseView {
  const has = <K extends string>(key: K): boolean => key in state;
  const pick = <T>(key: string): T | null => (has(key) ? ((state as unknown as Record<string, T | null>)[key] ?? null) : null);
  const escalation = pick<EscalationRecord>('escalation');
  const decision = pick<Decision>('decision');
  return {
    caseId: state.caseId,
    status: state.status,
    version,
    loggedAt: state.loggedAt,
    loggedBy: state.loggedBy,
    request: state.request,
    evaluation: pick<EvaluationRecord>('evaluation'),
    escalation: escalation && {
      ...escalation,
      // Once decided the breach is a recorded fact; before that it is measured against now.
      slaBreached: decision ? decision.slaBreached === true : now.getTime() > Date.parse(escalation.slaDueAt),
    },
    assignment: pick<Assignment>('assignment'),
    decision,
    approval: pick<Approval>('approval'),
    appeal: pick<AppealRecord>('appeal'),
    deadlinesMissed: state.deadlinesMissed,
    communications: pick<readonly Communication[]>('communications') ?? [],
    refund: pick<RefundTracking>('refund'),
    followUp: pick<FollowUpRecord>('followUp'),
    notes: state.notes,
    closure: pick<Closure>('closure'),
  };
}
