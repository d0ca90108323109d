import { Actor, authorityRank, AuthorityLevel, highestAuthority, maxAuthority, raiseAuthority } from '../shared/actor';
import { IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, LegalFloorError, SeparationOfDutiesError } from '../shared/errors';
import { checkLegalFloor, CONTEST_REASONS, EntitlementContest } from '../legal/legal-floor';
import { SALE_CHANNELS } from '../legal/legal-rules';
import { assertNever } from '../shared/exhaustive';
import { assertSameCurrency, assertValidMoney, Money, sameMoney } from '../shared/money';
import { addBusinessDays, addDays, addHours, iso } from '../shared/time';
import { evaluateRequest } from '../policy/evaluate-request';
import { appealWindowDays, authorityForAmount, authorityLimit, fourEyesThreshold, PolicyInForce, PolicyRules, raisePriority } from '../policy/policy';
import {
  AddNote,
  AppealDecision,
  ApproveDecision,
  CommandBase,
  DecideAppeal,
  RecordDeadlineMissed,
  RejectDecision,
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
import { openDeadlines } from './deadlines';
import { APPEAL_VERDICTS, CaseEvent, Decided, DeadlineMissed, Escalated, RefundDue } from './events';
import { Alternative, MONEY_BACK_OUTCOMES, Outcome } from './request';
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
    case 'ApproveDecision':
      return approveDecision(command, requireDecided(command, state));
    case 'RejectDecision':
      return rejectDecision(command, requireDecided(command, state));
    case 'AppealDecision':
      return appealDecision(command, requireDecided(command, state));
    case 'DecideAppeal':
      return decideAppeal(command, requireDecided(command, state));
    case 'RecordDeadlineMissed':
      return recordDeadlineMissed(command, requireExisting(command, state));
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
  const waiting = state.status === 'escalated' || (state.status === 'decided' && (state.approval.status === 'pending' || (state.appeal !== null && !state.appeal.verdict)));
  if (!waiting) {
    throw new IllegalTransitionError(
      command.type,
      state.status,
      'only cases waiting for a manager (a decision, an appeal or a second approver) are assigned',
    );
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

/** What a decider sets; the same for a first decision and for one that overturns it on appeal. */
interface DecisionInput {
  readonly outcome: Outcome;
  readonly amount: Money | null;
  readonly rationale: string;
  readonly legalBasis: string | null;
  readonly alternativesOffered: readonly Alternative[];
  readonly contests?: readonly EntitlementContest[];
}

/** The amount a decision gives away, used for authority; exchanges and repairs are valued at the price paid. */
function decidedValue(input: DecisionInput, paid: Money): Money {
  switch (input.outcome) {
    case 'refund':
    case 'partial_refund':
    case 'store_credit':
      return input.amount ?? paid;
    case 'exchange':
    case 'repair':
      return paid;
    case 'denied':
      return { minor: 0, currency: paid.currency };
    default:
      return assertNever(input.outcome, 'outcome');
  }
}

function decisionAmount(input: DecisionInput, paid: Money, field = 'amount'): Money | null {
  const { outcome, amount } = input;
  if (amount) {
    assertValidMoney(amount, field);
    assertSameCurrency(amount, paid.currency, field);
  }
  switch (outcome) {
    case 'refund':
      if (amount && !sameMoney(amount, paid)) {
        throw new InvalidCommandError('a full refund is the amount paid; use partial_refund for less', field);
      }
      return paid;
    case 'partial_refund':
      if (!amount) throw new InvalidCommandError('a partial refund needs an amount', field);
      if (amount.minor > paid.minor) {
        throw new InvalidCommandError(`a partial refund cannot exceed the ${paid.minor} ${paid.currency} paid`, field);
      }
      return amount;
    case 'store_credit':
      if (amount && amount.minor > paid.minor) {
        throw new InvalidCommandError(`store credit cannot exceed the ${paid.minor} ${paid.currency} paid`, field);
      }
      return amount ?? paid;
    case 'exchange':
    case 'repair':
    case 'denied':
      if (amount) throw new InvalidCommandError(`an outcome of ${outcome} carries no amount`, field);
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
  const required =
    state.status === 'escalated'
      ? maxAuthority('manager', state.escalation.requiredAuthority)
      : maxAuthority(state.evaluation.requiredAuthority, command.outcome === 'denied' ? 'manager' : 'agent');
  const why = state.status === 'escalated' ? 'an escalated exception is decided by a manager' : null;
  const terms = decisionTerms(command, command, state, required, why);
  return [
    {
      type: 'Decided',
      data: {
        caseId: state.caseId,
        ...terms,
        slaBreached: state.status === 'escalated' ? command.now.getTime() > Date.parse(state.escalation.slaDueAt) : null,
      },
    },
  ];
}

/**
 * The decision as recorded: amount checked against what was paid, authority against the policy
 * (at least `required`), the legal floor, four eyes above the policy's threshold, and when the
 * money is due.
 */
function decisionTerms(
  input: DecisionInput,
  command: CommandBase & { readonly policy: PolicyInForce },
  state: EvaluatedCase | EscalatedCase | DecidedCase,
  required: AuthorityLevel,
  why: string | null,
): Omit<Decided['data'], 'caseId' | 'slaBreached'> {
  const rationale = requireText(input.rationale, 'rationale', 'explain the decision');
  const paid = state.request.amount;
  const amount = decisionAmount(input, paid);
  const level = assertAuthority(command.actor, input.outcome, required, why, command.policy.rules, decidedValue(input, paid));
  const contests = assertLegalFloor(input, state, level);
  const threshold = MONEY_BACK_OUTCOMES.includes(input.outcome) && amount ? fourEyesThreshold(command.policy.rules, amount.currency) : null;
  const refundDue = MONEY_BACK_OUTCOMES.includes(input.outcome) ? refundDueBy(state, command) : null;
  return {
    outcome: input.outcome,
    amount,
    rationale,
    legalBasis: input.legalBasis?.trim() || null,
    alternativesOffered: [...new Set(input.alternativesOffered)],
    authority: {
      level,
      limit: authorityLimit(command.policy.rules, level, paid.currency) ?? null,
      policyVersion: command.policy.version,
    },
    decidedBy: command.actor.id,
    decidedAt: iso(command.now),
    followUpDueAt: iso(addDays(command.now, command.policy.rules.followUpDelayDays)),
    ...(contests.length > 0 ? { contests } : {}),
    ...(threshold && amount && amount.minor > threshold.minor ? { fourEyes: { threshold } } : {}),
    ...(refundDue ? { refundDue } : {}),
  };
}

/**
 * When money sent back is due: the shortest refund deadline of a statutory right the evaluation
 * found ("at once" read as by the end of the next day: a transfer cannot land sooner), otherwise the
 * longest settlement time the policy quotes to customers, in business days.
 */
function refundDueBy(state: EvaluatedCase | EscalatedCase | DecidedCase, command: CommandBase & { readonly policy: PolicyInForce }): RefundDue {
  const statutory = (state.evaluation.legal?.entitlements ?? [])
    .filter((e) => e.refundDueDays !== null)
    .sort((a, b) => a.refundDueDays! - b.refundDueDays!)[0];
  if (statutory) {
    return { by: iso(addDays(command.now, Math.max(1, statutory.refundDueDays!))), under: 'law', source: statutory.refundSource ?? statutory.source };
  }
  return { by: iso(addBusinessDays(command.now, command.policy.rules.refundSettlementDays.max)), under: 'policy', source: null };
}

/** Consumer law is a floor: no decision goes below a right the evaluation found unless it is validly contested. */
function assertLegalFloor(
  input: DecisionInput,
  state: EvaluatedCase | EscalatedCase | DecidedCase,
  level: AuthorityLevel,
): readonly EntitlementContest[] {
  const contests = (input.contests ?? []).map((contest, i) => {
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
    outcome: input.outcome,
    amount: input.amount,
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
function assertAuthority(actor: Actor, outcome: Outcome, base: AuthorityLevel, why: string | null, rules: PolicyRules, value: Money): AuthorityLevel {
  const level = highestAuthority(actor);
  if (!level) {
    throw new InsufficientAuthorityError('Only agents, managers and senior managers decide refund cases', { roles: actor.roles });
  }
  const required = maxAuthority(base, authorityForAmount(rules, value));
  if (authorityRank(level) < authorityRank(required)) {
    const reason =
      why && required === base && required !== 'senior_manager'
        ? why
        : `deciding ${outcome} for ${value.minor} ${value.currency} needs ${required.replace('_', ' ')} authority`;
    throw new InsufficientAuthorityError(`Insufficient authority: ${reason}`, { required, actual: level });
  }
  return level;
}

/** Approving or rejecting takes another person than the decider, with at least the decider's authority (and a manager's). */
function assertSecondPerson(command: ApproveDecision | RejectDecision, state: DecidedCase): void {
  if (state.approval.status !== 'pending') {
    const why = state.approval.status === 'approved' ? 'the decision is already approved' : 'the decision needs no second approver';
    throw new IllegalTransitionError(command.type, state.status, why);
  }
  const { decision } = state;
  if (command.actor.id === decision.decidedBy) {
    throw new SeparationOfDutiesError('Four eyes: a decision is approved or rejected by someone other than its decider', {
      rule: 'four_eyes',
      decidedBy: decision.decidedBy,
    });
  }
  const level = highestAuthority(command.actor);
  const required = maxAuthority('manager', decision.authority.level);
  if (!level || authorityRank(level) < authorityRank(required)) {
    const verb = command.type === 'ApproveDecision' ? 'approving' : 'rejecting';
    throw new InsufficientAuthorityError(`Insufficient authority: ${verb} this decision needs ${required.replace('_', ' ')} authority`, {
      required,
      actual: level ?? null,
    });
  }
}

function approveDecision(command: ApproveDecision, state: DecidedCase): CaseEvent[] {
  assertSecondPerson(command, state);
  return [
    {
      type: 'DecisionApproved',
      data: {
        caseId: state.caseId,
        decidedBy: state.decision.decidedBy,
        note: command.note?.trim() || null,
        approvedBy: command.actor.id,
        approvedAt: iso(command.now),
      },
    },
  ];
}

function rejectDecision(command: RejectDecision, state: DecidedCase): CaseEvent[] {
  assertSecondPerson(command, state);
  return [
    {
      type: 'DecisionRejected',
      data: {
        caseId: state.caseId,
        decidedBy: state.decision.decidedBy,
        reason: requireText(command.reason, 'reason', 'say why the decision is rejected'),
        rejectedBy: command.actor.id,
        rejectedAt: iso(command.now),
      },
    },
  ];
}

/** A denial, a partial refund, or anything other than what the customer asked for. */
function isAppealable(state: DecidedCase): boolean {
  const { decision, request } = state;
  if (decision.outcome === 'denied' || decision.outcome === 'partial_refund') return true;
  if (decision.outcome !== request.requestedResolution) return true;
  return decision.amount !== null && decision.amount.minor < request.amount.minor;
}

function appealDecision(command: AppealDecision, state: DecidedCase): CaseEvent[] {
  const refuse = (why: string): never => {
    throw new IllegalTransitionError(command.type, state.status, why);
  };
  if (state.appeal) refuse('the decision has already been appealed');
  if (state.approval.status === 'pending') refuse('the decision is still waiting for a second approver');
  if (!isAppealable(state)) refuse(`the customer got the ${state.decision.outcome} they asked for`);
  if (state.refund.status === 'issued' || state.refund.status === 'settled') {
    refuse('money has been sent under this decision; a further claim is a new case');
  }
  const closesAt = addDays(new Date(state.decision.decidedAt), appealWindowDays(command.policy.rules));
  if (command.now.getTime() > closesAt.getTime()) refuse(`the appeal period ended at ${iso(closesAt)}`);
  const reason = requireText(command.reason, 'reason', "hold the customer's grounds for the appeal");
  const priority = state.escalation?.priority ?? 'normal';
  return [
    {
      type: 'DecisionAppealed',
      data: {
        caseId: state.caseId,
        reason,
        evidence: command.evidence,
        firstDecidedBy: state.decision.decidedBy,
        requiredAuthority: maxAuthority('manager', state.decision.authority.level),
        priority,
        slaDueAt: iso(addHours(command.now, command.policy.rules.slaHours[priority])),
        policyVersion: command.policy.version,
        appealedBy: command.actor.id,
        appealedAt: iso(command.now),
      },
    },
  ];
}

function decideAppeal(command: DecideAppeal, state: DecidedCase): CaseEvent[] {
  const { appeal } = state;
  if (!appeal || appeal.verdict) {
    throw new IllegalTransitionError(command.type, state.status, appeal ? 'the appeal has been decided' : 'no appeal is waiting for a decision');
  }
  if (command.actor.id === appeal.firstDecidedBy) {
    throw new SeparationOfDutiesError('An appeal is decided by someone other than the first decider', {
      rule: 'appeal_by_another',
      decidedBy: appeal.firstDecidedBy,
    });
  }
  if (!APPEAL_VERDICTS.includes(command.verdict)) {
    throw new InvalidCommandError(`verdict must be one of ${APPEAL_VERDICTS.join(', ')}`, 'verdict');
  }
  const level = highestAuthority(command.actor);
  if (!level || authorityRank(level) < authorityRank(appeal.requiredAuthority)) {
    throw new InsufficientAuthorityError(
      `Insufficient authority: this appeal is decided at ${appeal.requiredAuthority.replace('_', ' ')} authority or higher`,
      { required: appeal.requiredAuthority, actual: level ?? null },
    );
  }
  const rationale = requireText(command.rationale, 'rationale', 'explain the verdict');
  const decidedAt = iso(command.now);
  const slaBreached = command.now.getTime() > Date.parse(appeal.slaDueAt);
  const authority = {
    level,
    limit: authorityLimit(command.policy.rules, level, state.request.amount.currency) ?? null,
    policyVersion: command.policy.version,
  };
  const base = { caseId: state.caseId, verdict: command.verdict, rationale, authority, decidedBy: command.actor.id, decidedAt, slaBreached };
  if (command.verdict === 'upheld') {
    if (command.decision) throw new InvalidCommandError('an upheld appeal keeps the first decision; send no new one', 'decision');
    return [{ type: 'AppealDecided', data: { ...base, decision: null } }];
  }
  if (!command.decision) throw new InvalidCommandError('an overturned appeal needs the decision that replaces the first one', 'decision');
  const decision = decisionTerms({ ...command.decision, rationale }, command, state, appeal.requiredAuthority, null);
  const first = state.decision;
  const sameAmount = decision.amount === first.amount || (decision.amount !== null && first.amount !== null && sameMoney(decision.amount, first.amount));
  if (decision.outcome === first.outcome && sameAmount) {
    throw new InvalidCommandError('an overturning decision changes the outcome or the amount; otherwise uphold the appeal', 'decision.outcome');
  }
  return [{ type: 'AppealDecided', data: { ...base, decision: { ...decision, slaBreached } } }];
}

/** Records a deadline the scheduler found due, once; nothing when it was met, is not due, or is recorded. */
function recordDeadlineMissed(command: RecordDeadlineMissed, state: ExistingCase): CaseEvent[] {
  const due = openDeadlines(state).find((d) => d.deadline === command.deadline && d.dueAt === command.dueAt);
  if (!due || command.now.getTime() < Date.parse(due.dueAt)) return [];
  let raisedTo: DeadlineMissed['data']['raisedTo'] = null;
  if (due.deadline === 'decision_sla' && state.status === 'escalated') {
    raisedTo = { priority: raisePriority(state.escalation.priority), requiredAuthority: raiseAuthority(state.escalation.requiredAuthority) };
  } else if (due.deadline === 'appeal_sla' && state.status === 'decided' && state.appeal) {
    raisedTo = { priority: raisePriority(state.appeal.priority), requiredAuthority: raiseAuthority(state.appeal.requiredAuthority) };
  }
  return [
    {
      type: 'DeadlineMissed',
      data: {
        caseId: state.caseId,
        deadline: due.deadline,
        dueAt: due.dueAt,
        raisedTo,
        recordedBy: command.actor.id,
        missedAt: iso(command.now),
      },
    },
  ];
}

function notifyCustomer(command: NotifyCustomer, state: DecidedCase): CaseEvent[] {
  if (state.approval.status === 'pending') {
    throw new IllegalTransitionError(command.type, state.status, 'the decision is waiting for a second approver; tell the customer once it stands');
  }
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
  if (state.approval.status === 'pending') {
    throw new IllegalTransitionError(command.type, state.status, 'four eyes: the decision needs a second approver before any refund is executed');
  }
  if (state.appeal && !state.appeal.verdict && command.status === 'issued') {
    throw new IllegalTransitionError(command.type, state.status, 'an appeal against the decision is waiting for a verdict');
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
  if (state.approval.status === 'pending') {
    throw new IllegalTransitionError(command.type, state.status, 'the decision is waiting for a second approver; the customer has not been told yet');
  }
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
  if (state.status === 'decided' && state.approval.status === 'pending') {
    throw new IllegalTransitionError(command.type, state.status, 'the decision is waiting for a second approver');
  }
  if (state.status === 'decided' && state.appeal && !state.appeal.verdict) {
    throw new IllegalTransitionError(command.type, state.status, 'an appeal is waiting for a verdict');
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

