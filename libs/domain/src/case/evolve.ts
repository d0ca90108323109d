import { assertNever } from '../shared/exhaustive';
import { CaseEvent } from './events';
import { approvalOf, CaseFile, CaseState, ClosedCase, DecidedCase, EscalatedCase, EvaluatedCase, NO_REFUND, RefundTracking } from './state';

/**
 * Folds one fact into the state. Total and silent on facts that do not fit the state (an odd
 * event in an imported history must not stop a replay); decide() is what keeps such facts out.
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'RequestLogged': {
      if (state.status !== 'none') return state;
      const { caseId, loggedAt, loggedBy, ...request } = event.data;
      return { status: 'logged', caseId, loggedAt, loggedBy, request, notes: [], personalDataErasedAt: null, deadlinesMissed: [] };
    }
    case 'NoteAdded': {
      if (state.status === 'none') return state;
      const { caseId: _caseId, ...note } = event.data;
      return { ...state, notes: [...state.notes, note] };
    }
    case 'PolicyEvaluated': {
      if (state.status !== 'logged' && state.status !== 'evaluated') return state;
      const { caseId: _caseId, ...evaluation } = event.data;
      return { ...state, status: 'evaluated', evaluation };
    }
    case 'Escalated': {
      if (state.status !== 'evaluated') return state;
      const { caseId: _caseId, ...escalation } = event.data;
      return { ...state, status: 'escalated', escalation, assignment: null };
    }
    case 'CaseAssigned': {
      if (state.status !== 'escalated' && state.status !== 'decided') return state;
      const { caseId: _caseId, ...assignment } = event.data;
      return { ...state, assignment };
    }
    case 'Decided': {
      if (state.status !== 'evaluated' && state.status !== 'escalated') return state;
      const { caseId: _caseId, ...decision } = event.data;
      const decided: DecidedCase = {
        ...caseFileOf(state),
        status: 'decided',
        evaluation: state.evaluation,
        escalation: state.status === 'escalated' ? state.escalation : null,
        assignment: state.status === 'escalated' ? state.assignment : null,
        decision,
        approval: approvalOf(decision),
        appeal: null,
        communications: [],
        refund: NO_REFUND,
        followUp: null,
      };
      return decided;
    }
    case 'CustomerNotified': {
      if (state.status !== 'decided') return state;
      const { caseId: _caseId, ...communication } = event.data;
      return { ...state, communications: [...state.communications, communication] };
    }
    case 'RefundIssued': {
      if (state.status !== 'decided') return state;
      const { method, amount, reference, issuedAt } = event.data;
      const refund: RefundTracking = { ...state.refund, status: 'issued', method, amount, reference, issuedAt, settledAt: null };
      return { ...state, refund };
    }
    case 'RefundSettled': {
      if (state.status !== 'decided') return state;
      const { method, amount, reference, settledAt } = event.data;
      return { ...state, refund: { ...state.refund, status: 'settled', method, amount, reference, settledAt } };
    }
    case 'RefundFailed': {
      if (state.status !== 'decided') return state;
      const { method, amount, reference, failureReason, failedAt } = event.data;
      const failures = [...state.refund.failures, { method, amount, reference, reason: failureReason, failedAt }];
      return { ...state, refund: { ...state.refund, status: 'failed', failures } };
    }
    case 'FollowedUp': {
      if (state.status !== 'decided') return state;
      const { caseId: _caseId, ...followUp } = event.data;
      return { ...state, followUp };
    }
    case 'CaseClosed': {
      if (state.status === 'none' || state.status === 'closed') return state;
      const { caseId: _caseId, ...closure } = event.data;
      const closed: ClosedCase = {
        ...caseFileOf(state),
        status: 'closed',
        closedFrom: state.status,
        evaluation: state.status === 'logged' ? null : state.evaluation,
        escalation: state.status === 'escalated' || state.status === 'decided' ? state.escalation : null,
        assignment: state.status === 'escalated' || state.status === 'decided' ? state.assignment : null,
        decision: state.status === 'decided' ? state.decision : null,
        approval: state.status === 'decided' ? state.approval : null,
        appeal: state.status === 'decided' ? state.appeal : null,
        communications: state.status === 'decided' ? state.communications : [],
        refund: state.status === 'decided' ? state.refund : null,
        followUp: state.status === 'decided' ? state.followUp : null,
        closure,
      };
      return closed;
    }
    case 'CustomerDataErased': {
      if (state.status === 'none') return state;
      return { ...state, personalDataErasedAt: event.data.erasedAt };
    }
    case 'DecisionApproved': {
      if (state.status !== 'decided' || state.approval.status !== 'pending') return state;
      const { approvedBy, approvedAt, note } = event.data;
      return { ...state, approval: { status: 'approved', threshold: state.approval.threshold, approvedBy, approvedAt, note } };
    }
    case 'DecisionRejected':
      return state.status === 'decided' && state.approval.status === 'pending' ? withoutDecision(state) : state;
    case 'DecisionAppealed': {
      if (state.status !== 'decided' || state.appeal) return state;
      const { caseId: _caseId, ...appeal } = event.data;
      return { ...state, appeal: { ...appeal, verdict: null } };
    }
    case 'AppealDecided': {
      if (state.status !== 'decided' || !state.appeal || state.appeal.verdict) return state;
      const { caseId: _caseId, decision, ...verdict } = event.data;
      if (!decision) return { ...state, appeal: { ...state.appeal, verdict: { ...verdict, replaced: null } } };
      return {
        ...state,
        decision,
        approval: approvalOf(decision),
        // No money moved under the first decision (an appeal is refused once it has); its failed attempts stay on record.
        refund: { ...NO_REFUND, failures: state.refund.failures },
        appeal: { ...state.appeal, verdict: { ...verdict, replaced: { decision: state.decision, approval: state.approval } } },
      };
    }
    case 'DeadlineMissed': {
      if (state.status === 'none') return state;
      const { deadline, dueAt, missedAt, raisedTo } = event.data;
      const missed = { ...state, deadlinesMissed: [...state.deadlinesMissed, { deadline, dueAt, missedAt }] };
      if (!raisedTo) return missed;
      if (deadline === 'decision_sla' && missed.status === 'escalated') {
        return { ...missed, escalation: { ...missed.escalation, ...raisedTo } };
      }
      if (deadline === 'appeal_sla' && missed.status === 'decided' && missed.appeal) {
        return { ...missed, appeal: { ...missed.appeal, ...raisedTo } };
      }
      return missed;
    }
    default:
      return assertNever(event, 'case event');
  }
}

/** What every case keeps whatever its status: copied field by field, so a status's own fields never leak into another. */
const caseFileOf = (state: CaseFile): CaseFile => ({
  caseId: state.caseId,
  request: state.request,
  loggedAt: state.loggedAt,
  loggedBy: state.loggedBy,
  notes: state.notes,
  personalDataErasedAt: state.personalDataErasedAt,
  deadlinesMissed: state.deadlinesMissed,
});

/**
 * A rejected decision is void: an overturning verdict gives way to the decision it replaced (the
 * appeal waits again); a first decision gives way to the case as it stood before it.
 */
function withoutDecision(state: DecidedCase): CaseState {
  const replaced = state.appeal?.verdict?.replaced;
  if (state.appeal && replaced) {
    return { ...state, decision: replaced.decision, approval: replaced.approval, appeal: { ...state.appeal, verdict: null } };
  }
  const file = { ...caseFileOf(state), evaluation: state.evaluation };
  if (state.escalation) {
    const escalated: EscalatedCase = { ...file, status: 'escalated', escalation: state.escalation, assignment: state.assignment };
    return escalated;
  }
  const evaluated: EvaluatedCase = { ...file, status: 'evaluated' };
  return evaluated;
}

export const foldCase = (events: readonly CaseEvent[], state: CaseState = { status: 'none' }): CaseState =>
  events.reduce(evolve, state);
