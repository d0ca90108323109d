import { authorityRank, AuthorityLevel, highestAuthority, maxAuthority } from '../shared/actor';
import { IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, LegalFloorError } from '../shared/errors';
import { checkLegalFloor, CONTEST_REASONS } from '../legal/legal-floor';
import { SALE_CHANNELS } from '../legal/legal-rules';
import { assertNever } from '../shared/exhaustive';
import { assertSameCurrency, assertValidMoney, Money, sameMoney } from '../shared/money';
import { addDays, addHours, iso } from '../shared/time';
import { evaluateRequest } from '../policy/evaluate-request';
import { authorityForAmount, authorityLimit, PolicyRules } from '../policy/policy';
import {
  AddNote,
  AssignCase,
  CaseCommand,
  CloseCase,
  DecideCase,
  EscalateCase,
  EvaluateCase,
  LogRequest,
  NotifyCustomer,
  RecordFollowUp,
  RecordRefundExecution,
  EraseCustomerData,
} from './commands';
import { CaseEvent, Escalated } from './events';
import { MONEY_BACK_OUTCOMES } from './request';
import { CaseState, DecidedCase, EscalatedCase, EvaluatedCase, ExistingCase, OpenCase } from './state';

/** decide(command, state) → the facts to record, or a domain error. Pure. */
export function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  switch (command.type) {
    case 'LogRequest':
      return logRequest(command, state);
    case 'AddNote':
      return addNote(command, requireOpen(command, state));
    case 'EvaluateCase':
      return evaluateCase(command, requireOpen(command, state));
    case 'EscalateCase':
      return escalateCase(command, requireOpen(command, state));
    case 'AssignCase':
      return assignCase(command, requireOpen(command, state));
    case 'DecideCase':
      return decideCase(command, requireOpen(command, state));
    case 'NotifyCustomer':
      return notifyCustomer(command, requireDecided(command, state));
    case 'RecordRefundExecution':
      return recordRefundExecution(command, requireDecided(command, state));
    case 'RecordFollowUp':
      return recordFollowUp(command, requireDecided(command, state));
    case 'CloseCase':
      return closeCase(command, requireOpen(command, state));
    case 'EraseCustomerData':
      return eraseCustomerData(command, requireExisting(command, state));
    default:
      return assertNever(command, 'case command');
  }
}

function requireExisting(command: CaseCommand, state: CaseState): ExistingCase {
  if (state.status === 'none') {
    throw new IllegalTransitionError(command.type, 'none', 'no request has been logged for this case');
  }
  return state;
}

function requireOpen(command: CaseCommand, state: CaseState): OpenCase {
  const existing = requireExisting(command, state);
  if (existing.status === 'closed') throw new IllegalTransitionError(command.type, 'closed', 'the case is closed');
  return existing;
}

function requireDecided(command: CaseCommand, state: CaseState): DecidedCase {
  const open = requireOpen(command, state);
  if (open.status !== 'decided') {
    throw new IllegalTransitionError(command.type, open.status, 'the case has no decision yet');
  }
  return open;
}

const requireText = (value: string, field: string, what: string): string => {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InvalidCommandError(`${field} must ${what}`, field);
  return trimmed;
};

function logRequest(command: LogRequest, state: CaseState): CaseEvent[] {
  if (state.status !== 'none') {
    throw new IllegalTransitionError(command.type, state.status, 'a request is already logged under this case id');
  }
  const { request } = command;
  assertValidMoney(request.amount, 'amount');
  const purchasedAt = new Date(request.order.purchasedAt);
  if (Number.isNaN(purchasedAt.getTime())) {
    throw new InvalidCommandError('order.purchasedAt must be an ISO-8601 time', 'order.purchasedAt');
  }
  if (purchasedAt.getTime() > command.now.getTime()) {
    throw new InvalidCommandError('order.purchasedAt cannot be in the future', 'order.purchasedAt');
  }
  const deliveredAt = optionalTime(request.order.deliveredAt, 'order.deliveredAt', command.now);
  if (deliveredAt && deliveredAt.getTime() < purchasedAt.getTime()) {
    throw new InvalidCommandError('order.deliveredAt cannot be before order.purchasedAt', 'order.deliveredAt');
  }
  const defectNoticedAt = optionalTime(request.reason.defectNoticedAt, 'reason.defectNoticedAt', command.now);
  if (request.order.saleChannel !== undefined && !SALE_CHANNELS.includes(request.order.saleChannel)) {
    throw new InvalidCommandError(`order.saleChannel must be one of ${SALE_CHANNELS.join(', ')}`, 'order.saleChannel');
  }
  requireText(request.customer.name, 'customer.name', 'not be empty');
  requireText(request.reason.description, 'reason.description', "hold the customer's words");
  return [
    {
      type: 'RequestLogged',
      data: {
        ...request,
        order: { ...request.order, purchasedAt: purchasedAt.toISOString(), ...(deliveredAt ? { deliveredAt: deliveredAt.toISOString() } : {}) },
        reason: { ...request.reason, ...(defectNoticedAt ? { defectNoticedAt: defectNoticedAt.toISOString() } : {}) },
        caseId: command.caseId,
        loggedAt: iso(command.now),
        loggedBy: command.actor.id,
      },
    },
  ];
}

/** An optional time of the request: absent stays absent; present must be a real time, not in the future. */
function optionalTime(value: string | undefined, field: string, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidCommandError(`${field} must be an ISO-8601 time`, field);
  if (at.getTime() > now.getTime()) throw new InvalidCommandError(`${field} cannot be in the future`, field);
  return at;
}

function addNote(command: AddNote, state: OpenCase): CaseEvent[] {
  const text = requireText(command.text, 'text', 'not be empty');
  return [
    {
      type: 'NoteAdded',
      data: {
        caseId: state.caseId,
        noteId: command.noteId,
        text,
        evidence: command.evidence,
        addedBy: command.actor.id,
        addedAt: iso(command.now),
      },
    },
  ];
}

function evaluateCase(command: EvaluateCase, state: OpenCase): CaseEvent[] {
  if (state.status !== 'logged' && state.status !== 'evaluated') {
    throw new IllegalTransitionError(
      command.type,
      state.status,
      state.status === 'escalated' ? 'the case is waiting for a manager decision' : 'the case is already decided',
    );
  }
  const { escalation, ...result } = evaluateRequest(state.request, command.policy, command.history, command.now, command.law);
  const events: CaseEvent[] = [
    {
      type: 'PolicyEvaluated',
      data: { ...result, caseId: state.caseId, evaluatedBy: command.actor.id, evaluatedAt: iso(command.now) },
    },
  ];
  if (escalation) {
    events.push(
      escalatedEvent(state.caseId, command, command.policy.rules, {
        reason: escalation.reason,
        reasonCodes: escalation.reasonCodes,
        priority: escalation.priority,
        requiredAuthority: result.requiredAuthority,
        automatic: true,
        policyVersion: command.policy.version,
      }),
    );
  }
  return events;
}

function escalatedEvent(
  caseId: string,
  command: EvaluateCase | EscalateCase,
  rules: PolicyRules,
  fields: Omit<Escalated['data'], 'caseId' | 'slaDueAt' | 'escalatedBy' | 'escalatedAt'>,
): Escalated {
  return {
    type: 'Escalated',
    data: {
      caseId,
      ...fields,
      slaDueAt: iso(addHours(command.now, rules.slaHours[fields.priority])),
      escalatedBy: command.actor.id,
      escalatedAt: iso(command.now),
    },
  };
}

function escalateCase(command: EscalateCase, state: OpenCase): CaseEvent[] {
  if (state.status === 'logged') {
    throw new IllegalTransitionError(command.type, state.status, 'evaluate the case against the policy first');
  }
  if (state.status !== 'evaluated') {
    throw new IllegalTransitionError(
      command.type,
      state.status,
      state.status === 'escalated' ? 'the case is already escalated' : 'the case is already decided',
    );
  }
  const reason = requireText(command.reason, 'reason', 'say why the case is escalated');
  return [
    escalatedEvent(state.caseId, command, command.policy.rules, {
      reason,
      reasonCodes: [],
      priority: command.priority,
      requiredAuthority: maxAuthority('manager', state.evaluation.requiredAuthority),
      automatic: false,
      policyVersion: command.policy.version,
    }),
  ];
}

function assignCase(command: AssignCase, state: OpenCase): CaseEvent[] {
  if (state.status !== 'escalated') {
    throw new IllegalTransitionError(command.type, state.status, 'only escalated cases waiting for a decision are assigned');
  }
  const assignee = requireText(command.assignee, 'assignee', 'name who takes the case');
  if (state.assignment?.assignee === assignee) {
    throw new IllegalTransitionError(command.type, state.status, `the case is already assigned to ${assignee}`);
  }
  return [
    {
      type: 'CaseAssigned',
      data: { caseId: state.caseId, assignee, assignedBy: command.actor.id, assignedAt: iso(command.now) },
    },
  ];
}

/** The amount a decision gives away, used for authority; exchanges and repairs are valued at the price paid. */
function decidedValue(command: DecideCase, paid: Money): Money {
  switch (command.outcome) {
    case 'refund':
    case 'partial_refund':
    case 'store_credit':
      return command.amount ?? paid;
    case 'exchange':
    case 'repair':
      return paid;
    case 'denied':
      return { minor: 0, currency: paid.currency };
    default:
      return assertNever(command.outcome, 'outcome');
  }
}

function decisionAmount(command: DecideCase, paid: Money): Money | null {
  const { outcome, amount } = command;
  if (amount) {
    assertValidMoney(amount, 'amount');
    assertSameCurrency(amount, paid.currency, 'amount');
  }
  switch (outcome) {
    case 'refund':
      if (amount && !sameMoney(amount, paid)) {
        throw new InvalidCommandError('a full refund is the amount paid; use partial_refund for less', 'amount');
      }
      return paid;
    case 'partial_refund':
      if (!amount) throw new InvalidCommandError('a partial refund needs an amount', 'amount');
      if (amount.minor > paid.minor) {
        throw new InvalidCommandError(`a partial refund cannot exceed the ${paid.minor} ${paid.currency} paid`, 'amount');
      }
      return amount;
    case 'store_credit':
      if (amount && amount.minor > paid.minor) {
        throw new InvalidCommandError(`store credit cannot exceed the ${paid.minor} ${paid.currency} paid`, 'amount');
      }
      return amount ?? paid;
    case 'exchange':
    case 'repair':
    case 'denied':
      if (amount) throw new InvalidCommandError(`an outcome of ${outcome} carries no amount`, 'amount');
      return null;
    default:
      return assertNever(outcome, 'outcome');
  }
}

function decideCase(command: DecideCase, state: OpenCase): CaseEvent[] {
  if (state.status === 'logged') {
    throw new IllegalTransitionError(command.type, state.status, 'evaluate the case against the policy first');
  }
  if (state.status === 'decided') {
    throw new IllegalTransitionError(command.type, state.status, 'the case is already decided');
  }
  const rationale = requireText(command.rationale, 'rationale', 'explain the decision');
  const paid = state.request.amount;
  const amount = decisionAmount(command, paid);
  const level = assertAuthority(command, state, decidedValue(command, paid));
  const contests = assertLegalFloor(command, state, level);
  const now = iso(command.now);
  return [
    {
      type: 'Decided',
      data: {
        caseId: state.caseId,
        outcome: command.outcome,
        amount,
        rationale,
        legalBasis: command.legalBasis?.trim() || null,
        alternativesOffered: [...new Set(command.alternativesOffered)],
        authority: {
          level,
          limit: authorityLimit(command.policy.rules, level, paid.currency) ?? null,
          policyVersion: command.policy.version,
        },
        decidedBy: command.actor.id,
        decidedAt: now,
        followUpDueAt: iso(addDays(command.now, command.policy.rules.followUpDelayDays)),
        slaBreached: state.status === 'escalated' ? command.now.getTime() > Date.parse(state.escalation.slaDueAt) : null,
        ...(contests.length > 0 ? { contests } : {}),
      },
    },
  ];
}

/** Consumer law is a floor: no decision goes below a right the evaluation found unless it is validly contested. */
function assertLegalFloor(command: DecideCase, state: EvaluatedCase | EscalatedCase, level: AuthorityLevel): DecideCase['contests'] & object {
  const contests = (command.contests ?? []).map((contest, i) => {
    if (!CONTEST_REASONS.includes(contest.reason)) {
      throw new InvalidCommandError(`contests[${i}].reason must be one of ${CONTEST_REASONS.join(', ')}`, `contests.${i}.reason`);
    }
    const evidence = contest.evidence.map((ref) => ref.trim()).filter((ref) => ref.length > 0);
    return { right: contest.right, reason: contest.reason, evidence: [...new Set(evidence)] };
  });
  const entitlements = state.evaluation.legal?.entitlements ?? [];
  const unused = contests.find((contest) => !entitlements.some((e) => e.right === contest.right));
  if (unused) throw new InvalidCommandError(`no ${unused.right} right was found to contest`, 'contests');
  const violation = checkLegalFloor(entitlements, {
    outcome: command.outcome,
    amount: command.amount,
    paid: state.request.amount,
    requestedResolution: state.request.requestedResolution,
    contests,
    deciderAuthority: level,
  });
  if (violation) {
    throw new LegalFloorError(`Below the legal floor: ${violation.message}`, {
      problem: violation.problem,
      right: violation.right,
      source: violation.source,
      allowedOutcomes: violation.allowedOutcomes,
    });
  }
  return contests;
}

/**
 * Who may decide: an agent settles what the policy allows within the agent limit; an escalated
 * exception needs a manager; above the manager limit a senior manager. Denying a request the
 * policy covers is itself an exception.
 */
function assertAuthority(command: DecideCase, state: EvaluatedCase | EscalatedCase, value: Money): AuthorityLevel {
  const level = highestAuthority(command.actor);
  if (!level) {
    throw new InsufficientAuthorityError('Only agents, managers and senior managers decide refund cases', {
      roles: command.actor.roles,
    });
  }
  let required: AuthorityLevel =
    state.status === 'escalated'
      ? maxAuthority('manager', state.escalation.requiredAuthority)
      : maxAuthority(state.evaluation.requiredAuthority, command.outcome === 'denied' ? 'manager' : 'agent');
  required = maxAuthority(required, authorityForAmount(command.policy.rules, value));
  if (authorityRank(level) < authorityRank(required)) {
    const why =
      state.status === 'escalated' && required !== 'senior_manager'
        ? 'an escalated exception is decided by a manager'
        : `deciding ${command.outcome} for ${value.minor} ${value.currency} needs ${required.replace('_', ' ')} authority`;
    throw new InsufficientAuthorityError(`Insufficient authority: ${why}`, { required, actual: level });
  }
  return level;
}

function notifyCustomer(command: NotifyCustomer, state: DecidedCase): CaseEvent[] {
  if (state.personalDataErasedAt !== null) {
    throw new IllegalTransitionError(command.type, state.status, "the customer's contact data has been erased");
  }
  const { customer } = state.request;
  if (command.channel === 'email' && !customer.email) {
    throw new InvalidCommandError('the customer has no e-mail address on file', 'channel');
  }
  if ((command.channel === 'sms' || command.channel === 'phone') && !customer.phone) {
    throw new InvalidCommandError('the customer has no phone number on file', 'channel');
  }
  return [
    {
      type: 'CustomerNotified',
      data: {
        caseId: state.caseId,
        channel: command.channel,
        locale: command.message.locale,
        subject: command.message.subject,
        body: command.message.body,
        notifiedBy: command.actor.id,
        notifiedAt: iso(command.now),
      },
    },
  ];
}

function recordRefundExecution(command: RecordRefundExecution, state: DecidedCase): CaseEvent[] {
  const { decision, refund } = state;
  if (!MONEY_BACK_OUTCOMES.includes(decision.outcome) || !decision.amount) {
    throw new IllegalTransitionError(command.type, state.status, `the decision (${decision.outcome}) sends no money back`);
  }
  assertValidMoney(command.amount, 'amount');
  assertSameCurrency(command.amount, decision.amount.currency, 'amount');
  const method = requireText(command.method, 'method', 'name the refund method');
  const reference = requireText(command.reference, 'reference', 'carry the payment reference');
  const base = { caseId: state.caseId, method, amount: command.amount, reference, recordedBy: command.actor.id };
  const now = iso(command.now);
  switch (command.status) {
    case 'issued':
      if (refund.status === 'issued' || refund.status === 'settled') {
        throw new IllegalTransitionError(command.type, state.status, `a refund is already ${refund.status}`);
      }
      if (!sameMoney(command.amount, decision.amount)) {
        throw new InvalidCommandError(
          `the refund issued must be the ${decision.amount.minor} ${decision.amount.currency} decided`,
          'amount',
        );
      }
      return [{ type: 'RefundIssued', data: { ...base, issuedAt: now } }];
    case 'settled':
      if (refund.status !== 'issued') {
        throw new IllegalTransitionError(command.type, state.status, `no refund is in flight (refund ${refund.status})`);
      }
      if (reference !== refund.reference) {
        throw new IllegalTransitionError(command.type, state.status, `the refund in flight has reference ${refund.reference}`);
      }
      if (!sameMoney(command.amount, refund.amount!)) {
        throw new InvalidCommandError('the amount settled must be the amount issued', 'amount');
      }
      return [{ type: 'RefundSettled', data: { ...base, settledAt: now } }];
    case 'failed': {
      if (refund.status === 'settled') {
        throw new IllegalTransitionError(command.type, state.status, 'the refund has already settled');
      }
      if (refund.status === 'issued' && reference !== refund.reference) {
        throw new IllegalTransitionError(command.type, state.status, `the refund in flight has reference ${refund.reference}`);
      }
      // A failure reported before any issue is an attempt at the decided amount, and is recorded as such.
      const attempted = refund.status === 'issued' ? refund.amount! : decision.amount;
      if (!sameMoney(command.amount, attempted)) {
        throw new InvalidCommandError(`the failed amount must be the ${attempted.minor} ${attempted.currency} attempted`, 'amount');
      }
      const failureReason = requireText(command.failureReason ?? '', 'failureReason', 'say why the refund failed');
      return [{ type: 'RefundFailed', data: { ...base, failureReason, failedAt: now } }];
    }
    default:
      return assertNever(command.status, 'refund status');
  }
}

function recordFollowUp(command: RecordFollowUp, state: DecidedCase): CaseEvent[] {
  if (state.followUp) {
    throw new IllegalTransitionError(command.type, state.status, 'the customer has already answered the follow-up');
  }
  const { satisfaction } = command;
  if (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 5) {
    throw new InvalidCommandError('satisfaction must be a whole number from 1 to 5', 'satisfaction');
  }
  return [
    {
      type: 'FollowedUp',
      data: {
        caseId: state.caseId,
        satisfaction: satisfaction as 1 | 2 | 3 | 4 | 5,
        comment: command.comment?.trim() || null,
        channel: requireText(command.channel, 'channel', 'name how the customer answered'),
        recordedBy: command.actor.id,
        followedUpAt: iso(command.now),
      },
    },
  ];
}

/** Allowed on closed cases too, and idempotent: a second erasure records nothing new. */
function eraseCustomerData(command: EraseCustomerData, state: ExistingCase): CaseEvent[] {
  if (state.request.customer.id !== command.customerId) {
    throw new InvalidCommandError(`the case belongs to another customer than ${command.customerId}`, 'customerId');
  }
  if (state.personalDataErasedAt !== null) return [];
  return [
    {
      type: 'CustomerDataErased',
      data: { caseId: state.caseId, customerId: command.customerId, erasedBy: command.actor.id, erasedAt: iso(command.now) },
    },
  ];
}

function closeCase(command: CloseCase, state: OpenCase): CaseEvent[] {
  if (state.status === 'decided' && state.refund.status === 'issued') {
    throw new IllegalTransitionError(command.type, state.status, 'a refund is in flight; wait until it settles or fails');
  }
  return [
    {
      type: 'CaseClosed',
      data: {
        caseId: state.caseId,
        summary: requireText(command.summary, 'summary', 'sum up how the case ended'),
        closedBy: command.actor.id,
        closedAt: iso(command.now),
      },
    },
  ];
}

