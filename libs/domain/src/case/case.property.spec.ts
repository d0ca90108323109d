import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Actor, Role, ROLES } from '../shared/actor';
import { isDomainError } from '../shared/errors';
import { EntitlementContest } from '../legal/legal-floor';
import { DEFAULT_LEGAL_RULES, LegalRulesInForce, SALE_CHANNELS } from '../legal/legal-rules';
import { Money } from '../shared/money';
import { addDays, addHours } from '../shared/time';
import { PRIORITIES, Priority } from '../policy/policy';
import { history, POLICY, policyInForce, sampleRequest } from '../testing/fixtures';
import { CaseCommand } from './commands';
import { decide } from './decide';
import { openDeadlines } from './deadlines';
import { CaseEvent, Deadline, DEADLINES, Decided, NOTIFICATION_CHANNELS, NotificationChannel } from './events';
import { foldCase } from './evolve';
import { ALTERNATIVES, Alternative, MONEY_BACK_OUTCOMES, Outcome, OUTCOMES, RefundRequest } from './request';
import { CaseState } from './state';

const START = new Date('2026-10-01T08:00:00.000Z');
// FC_SEED replays a run exactly; FC_NUM_RUNS trades depth for time (mutation testing runs fewer, with a fixed seed).
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 500;
const CURRENCIES = ['EUR', 'USD', 'JPY', 'RUB', 'GBP'] as const;
const LAW: LegalRulesInForce = { version: 1, rules: DEFAULT_LEGAL_RULES, revisedAt: START.toISOString(), revisedBy: 'admin-ada', changeNote: 'defaults' };
// The second policy sets a low four-eyes threshold, so that approvals are common in the runs.
const POLICIES = [
  POLICY,
  policyInForce(
    { authorityLimits: { agent: { EUR: 1_000 }, manager: { EUR: 20_000, USD: 20_000 } }, fourEyesThreshold: { EUR: 3_000, USD: 3_000, JPY: 3_000 }, appealWindowDays: 5 },
    2,
  ),
];

/** Amounts are chosen relative to the case when the step runs, so that valid ones are common. */
type AmountChoice =
  | { readonly kind: 'paid' | 'decided' }
  | { readonly kind: 'fraction'; readonly permille: number }
  | { readonly kind: 'raw'; readonly minor: number; readonly currency: string }
  | { readonly kind: 'otherCurrency' };

type StepBody =
  | { readonly type: 'LogRequest'; readonly request: RefundRequest }
  | { readonly type: 'AddNote'; readonly text: string }
  | { readonly type: 'EvaluateCase'; readonly earlierCases: number; readonly policy: number; readonly law: boolean }
  | { readonly type: 'EscalateCase'; readonly reason: string; readonly priority: Priority; readonly policy: number }
  | { readonly type: 'AssignCase'; readonly assignee: string }
  | {
      readonly type: 'DecideCase';
      readonly outcome: Outcome;
      readonly amount: AmountChoice | null;
      readonly rationale: string;
      readonly alternatives: Alternative[];
      readonly policy: number;
      readonly contest: EntitlementContest | null;
    }
  | { readonly type: 'NotifyCustomer'; readonly channel: NotificationChannel }
  | {
      readonly type: 'RecordRefundExecution';
      readonly status: 'issued' | 'settled' | 'failed';
      readonly amount: AmountChoice;
      readonly reference: string | null;
      readonly method: string;
      readonly failureReason: string | null;
    }
  | { readonly type: 'RecordFollowUp'; readonly satisfaction: number; readonly comment: string | null; readonly channel: string }
  | { readonly type: 'CloseCase'; readonly summary: string }
  | { readonly type: 'ApproveDecision'; readonly note: string | null }
  | { readonly type: 'RejectDecision'; readonly reason: string }
  | { readonly type: 'AppealDecision'; readonly reason: string; readonly policy: number }
  | {
      readonly type: 'DecideAppeal';
      readonly verdict: 'upheld' | 'overturned';
      readonly rationale: string;
      readonly decision: Extract<StepBody, { type: 'DecideCase' }> | null;
      readonly policy: number;
    }
  /** Which of the case's open deadlines (by index), or a due time that is none of them. */
  | { readonly type: 'RecordDeadlineMissed'; readonly pick: number; readonly deadline: Deadline };

interface Step {
  readonly body: StepBody;
  /** When set, the step runs the command that moves the case along instead of `body`. */
  readonly lifecycle: {
    readonly log: StepBody;
    readonly evaluate: StepBody;
    readonly decide: StepBody;
    readonly refund: StepBody;
    readonly approval: StepBody;
    readonly verdict: StepBody;
  } | null;
  readonly actor: Actor;
  readonly advanceMinutes: number;
}

/** Mostly valid values, sometimes invalid ones, so that commands both pass and get refused. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: invalid });

const text = mostly(fc.constantFrom('Checked with the customer', ' padded reason '), fc.constantFrom('', '   '));
const policyIndex = fc.integer({ min: 0, max: POLICIES.length - 1 });
const amountChoice: fc.Arbitrary<AmountChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<AmountChoice>({ kind: 'decided' }) },
  { weight: 2, arbitrary: fc.constant<AmountChoice>({ kind: 'paid' }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_500 }).map((permille): AmountChoice => ({ kind: 'fraction', permille })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ minor: fc.integer({ min: -10, max: 150_000 }), currency: fc.constantFrom(...CURRENCIES, 'XYZ') })
      .map((r): AmountChoice => ({ kind: 'raw', ...r })),
  },
  { weight: 1, arbitrary: fc.constant<AmountChoice>({ kind: 'otherCurrency' }) },
);

const requestArb: fc.Arbitrary<RefundRequest> = fc
  .record({
    minor: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 6_000 }) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 120_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: -5, max: 0 }) },
    ),
    currency: fc.constantFrom(...CURRENCIES),
    daysAgo: mostly(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 120 })), fc.integer({ min: -2, max: -1 })),
    country: fc.oneof(fc.constantFrom('IT', 'RU', 'US', 'BR', 'DE'), fc.string({ maxLength: 12 })),
    category: fc.oneof(fc.constantFrom('small-appliances', 'electronics', 'gift-cards', 'clothing'), fc.string({ maxLength: 12 })),
    condition: fc.constantFrom('new', 'used', 'like_new', 'damaged'),
    reason: fc.constantFrom('changed_mind', 'defective', 'safety_hazard', 'late_delivery', 'not_as_described'),
    deliveredDaysAfterPurchase: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    saleChannel: fc.option(fc.constantFrom(...SALE_CHANNELS), { nil: undefined }),
    email: fc.option(fc.constant('maria@example.com'), { nil: undefined }),
    phone: fc.option(fc.constant('+39 055 0000'), { nil: undefined }),
  })
  .map((r) =>
    sampleRequest({
      amount: { minor: r.minor, currency: r.currency },
      order: {
        purchasedAt: addDays(START, -r.daysAgo).toISOString(),
        country: r.country,
        // A delivery after the purchase, capped at the start so that it is never in the future.
        ...(r.deliveredDaysAfterPurchase === undefined
          ? {}
          : { deliveredAt: addDays(START, -Math.max(0, r.daysAgo - r.deliveredDaysAfterPurchase)).toISOString() }),
        ...(r.saleChannel === undefined ? {} : { saleChannel: r.saleChannel }),
      },
      product: { category: r.category, condition: r.condition },
      reason: { code: r.reason },
      customer: { email: r.email, phone: r.phone },
    }),
  );

const logBody = requestArb.map((request): StepBody => ({ type: 'LogRequest', request }));

const evaluateBody = fc
  .record({ earlierCases: fc.integer({ min: 0, max: 5 }), policy: policyIndex, law: fc.boolean().chain((b) => (b ? fc.constant(true) : fc.boolean())) })
  .map((r): StepBody => ({ type: 'EvaluateCase', ...r }));

const decideBody = fc
  .record({
    outcome: fc.oneof(fc.constantFrom<Outcome>('refund', 'partial_refund'), fc.constantFrom(...OUTCOMES)),
    amount: fc.option(amountChoice, { nil: null, freq: 2 }),
    rationale: text,
    alternatives: fc.subarray([...ALTERNATIVES]),
    policy: policyIndex,
    // Mostly none: a contest from anyone but a senior manager is refused, which would starve the deep histories.
    contest: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: fc.constant<EntitlementContest>({ right: 'conformity', reason: 'damage_by_misuse', evidence: ['lab-report-1'] }) },
      {
        weight: 1,
        arbitrary: fc.record({
          right: fc.constantFrom<EntitlementContest['right']>('withdrawal', 'conformity'),
          reason: fc.constantFrom<EntitlementContest['reason']>('not_a_defect', 'damage_by_misuse', 'outside_period_on_evidence', 'exempt_goods'),
          evidence: fc.constantFrom<string[]>(['lab-report-1'], [], [' ']),
        }),
      },
    ),
  })
  .map((r): StepBody => ({ type: 'DecideCase', ...r }));

const refundBody = fc
  .record({
    status: fc.constantFrom<'issued' | 'settled' | 'failed'>('issued', 'issued', 'settled', 'settled', 'failed'),
    amount: amountChoice,
    // null: the reference of the refund in flight, so that settlements and failures often match it.
    reference: mostly(fc.constantFrom(null, null, 'pay-1', 'pay-2', 'pay-3'), fc.constant(' ')),
    method: mostly(fc.constantFrom('card', 'bank_transfer'), fc.constant('')),
    failureReason: mostly(fc.constant('Card expired'), fc.constantFrom(null, '')),
  })
  .map((r): StepBody => ({ type: 'RecordRefundExecution', ...r }));

const bodyArb: fc.Arbitrary<StepBody> = fc.oneof(
  { weight: 1, arbitrary: logBody },
  { weight: 1, arbitrary: text.map((t): StepBody => ({ type: 'AddNote', text: t })) },
  { weight: 4, arbitrary: evaluateBody },
  {
    weight: 2,
    arbitrary: fc
      .record({ reason: text, priority: fc.constantFrom(...PRIORITIES), policy: policyIndex })
      .map((r): StepBody => ({ type: 'EscalateCase', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('manager-marco', 'senior-sofia', '').map((assignee): StepBody => ({ type: 'AssignCase', assignee })),
  },
  { weight: 6, arbitrary: decideBody },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...NOTIFICATION_CHANNELS).map((channel): StepBody => ({ type: 'NotifyCustomer', channel })),
  },
  { weight: 8, arbitrary: refundBody },
  {
    weight: 2,
    arbitrary: fc
      .record({
        satisfaction: mostly(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 6, 2.5, -1)),
        comment: fc.constantFrom(null, '', 'Fine'),
        channel: mostly(fc.constant('survey'), fc.constant('')),
      })
      .map((r): StepBody => ({ type: 'RecordFollowUp', ...r })),
  },
  { weight: 1, arbitrary: text.map((summary): StepBody => ({ type: 'CloseCase', summary })) },
  { weight: 2, arbitrary: fc.constantFrom(null, 'Receipts match').map((note): StepBody => ({ type: 'ApproveDecision', note })) },
  { weight: 1, arbitrary: text.map((reason): StepBody => ({ type: 'RejectDecision', reason })) },
  { weight: 2, arbitrary: fc.record({ reason: text, policy: policyIndex }).map((r): StepBody => ({ type: 'AppealDecision', ...r })) },
  { weight: 2, arbitrary: appealVerdictBody() },
  {
    weight: 2,
    arbitrary: fc
      .record({ pick: fc.integer({ min: 0, max: 3 }), deadline: fc.constantFrom(...DEADLINES) })
      .map((r): StepBody => ({ type: 'RecordDeadlineMissed', ...r })),
  },
);

function appealVerdictBody(): fc.Arbitrary<StepBody> {
  return fc
    .record({
      verdict: fc.constantFrom<'upheld' | 'overturned'>('upheld', 'overturned', 'overturned'),
      rationale: text,
      decision: fc.option(decideBody as fc.Arbitrary<Extract<StepBody, { type: 'DecideCase' }>>, { nil: null, freq: 3 }),
      policy: policyIndex,
    })
    .map((r): StepBody => ({ type: 'DecideAppeal', ...r }));
}

const actorArb: fc.Arbitrary<Actor> = fc.record({
  id: fc.constantFrom('agent-ana', 'manager-marco', 'senior-sofia', 'svc-payments', 'manager-mia', 'senior-sara'),
  roles: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<Role>('agent', 'manager', 'senior_manager').map((role) => [role]) },
    { weight: 1, arbitrary: fc.constantFrom(...ROLES).map((role) => [role]) },
    { weight: 1, arbitrary: fc.subarray([...ROLES]) },
  ),
});

// Rejections need a valid reason from another person, so fewer succeed than approvals: weighted up.
const approvalBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant<StepBody>({ type: 'ApproveDecision', note: null }) },
  { weight: 2, arbitrary: text.map((reason): StepBody => ({ type: 'RejectDecision', reason })) },
);
const appealBody = fc.record({ reason: text, policy: policyIndex }).map((r): StepBody => ({ type: 'AppealDecision', ...r }));

const lifecycleArb = fc.option(fc.record({ log: logBody, evaluate: evaluateBody, decide: decideBody, refund: fc.oneof({ weight: 5, arbitrary: refundBody }, { weight: 1, arbitrary: appealBody }), approval: approvalBody, verdict: appealVerdictBody() }), {
  freq: 2,
  nil: null,
});

const stepArb = (body: fc.Arbitrary<StepBody>): fc.Arbitrary<Step> =>
  fc.record({ body, lifecycle: lifecycleArb, actor: actorArb, advanceMinutes: fc.integer({ min: 0, max: 60 * 72 }) });

/** The body a step runs: a random command, or the one that moves the case along, so deep histories are common. */
function bodyFor(step: Step, state: CaseState): StepBody {
  if (!step.lifecycle) return step.body;
  switch (state.status) {
    case 'none':
      return step.lifecycle.log;
    case 'logged':
      return step.lifecycle.evaluate;
    case 'evaluated':
    case 'escalated':
      return step.lifecycle.decide;
    case 'decided':
      // Waiting for a second person (an approval or an appeal's verdict): that first, mostly.
      if (state.approval.status === 'pending') return step.lifecycle.approval;
      return state.appeal && !state.appeal.verdict ? step.lifecycle.verdict : step.lifecycle.refund;
    case 'closed':
      return step.body;
  }
}

/** Most runs start with a request; some do not, to exercise commands on a case that does not exist. */
const scenarioArb = fc
  .tuple(fc.option(stepArb(logBody), { freq: 10, nil: null }), fc.array(stepArb(bodyArb), { minLength: 5, maxLength: 36, size: 'max' }))
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

function resolveAmount(choice: AmountChoice, state: CaseState): Money {
  const paid = state.status === 'none' ? { minor: 4990, currency: 'EUR' } : state.request.amount;
  switch (choice.kind) {
    case 'paid':
      return paid;
    case 'decided':
      return (state.status === 'decided' || state.status === 'closed' ? state.decision?.amount : null) ?? paid;
    case 'fraction':
      return { minor: Math.floor((paid.minor * choice.permille) / 1000), currency: paid.currency };
    case 'raw':
      return { minor: choice.minor, currency: choice.currency };
    case 'otherCurrency':
      return { minor: paid.minor, currency: paid.currency === 'USD' ? 'EUR' : 'USD' };
  }
}

function toCommand(step: Step, state: CaseState, now: Date): CaseCommand {
  const base = { actor: step.actor, now };
  const b = bodyFor(step, state);
  switch (b.type) {
    case 'LogRequest':
      return { ...base, type: b.type, caseId: 'case-prop', request: b.request };
    case 'AddNote':
      return { ...base, type: b.type, noteId: `note-${now.getTime()}`, text: b.text, evidence: [] };
    case 'EvaluateCase':
      return {
        ...base,
        type: b.type,
        policy: POLICIES[b.policy]!,
        history: history({ earlierCases: b.earlierCases }),
        ...(b.law ? { law: LAW } : {}),
      };
    case 'EscalateCase':
      return { ...base, type: b.type, reason: b.reason, priority: b.priority, policy: POLICIES[b.policy]! };
    case 'AssignCase':
      return { ...base, type: b.type, assignee: b.assignee };
    case 'DecideCase':
      return {
        ...base,
        type: b.type,
        outcome: b.outcome,
        amount: b.amount ? resolveAmount(b.amount, state) : null,
        rationale: b.rationale,
        legalBasis: null,
        alternativesOffered: b.alternatives,
        policy: POLICIES[b.policy]!,
        ...(b.contest ? { contests: [b.contest] } : {}),
      };
    case 'NotifyCustomer':
      return { ...base, type: b.type, channel: b.channel, message: { locale: 'it', subject: 'Esito', body: 'Decisione presa.' } };
    case 'RecordRefundExecution':
      return {
        ...base,
        type: b.type,
        status: b.status,
        amount: resolveAmount(b.amount, state),
        reference: b.reference ?? (state.status === 'decided' ? state.refund.reference : null) ?? 'pay-1',
        method: b.method,
        failureReason: b.failureReason,
      };
    case 'RecordFollowUp':
      return { ...base, type: b.type, satisfaction: b.satisfaction, comment: b.comment, channel: b.channel };
    case 'CloseCase':
      return { ...base, type: b.type, summary: b.summary };
    case 'ApproveDecision':
      return { ...base, type: b.type, note: b.note };
    case 'RejectDecision':
      return { ...base, type: b.type, reason: b.reason };
    case 'AppealDecision':
      return { ...base, type: b.type, reason: b.reason, evidence: [], policy: POLICIES[b.policy]! };
    case 'DecideAppeal': {
      const d = b.decision;
      return {
        ...base,
        type: b.type,
        verdict: b.verdict,
        rationale: b.rationale,
        decision: d
          ? {
              outcome: d.outcome,
              amount: d.amount ? resolveAmount(d.amount, state) : null,
              legalBasis: null,
              alternativesOffered: d.alternatives,
              ...(d.contest ? { contests: [d.contest] } : {}),
            }
          : null,
        policy: POLICIES[b.policy]!,
      };
    }
    case 'RecordDeadlineMissed': {
      const open = openDeadlines(state);
      const chosen = open[b.pick] ?? { deadline: b.deadline, dueAt: addHours(now, -1).toISOString() };
      return { ...base, type: b.type, ...chosen };
    }
  }
}

interface Recorded {
  readonly version: number;
  readonly event: CaseEvent;
}

const ofType = <T extends CaseEvent['type']>(stream: readonly Recorded[], type: T): Extract<CaseEvent, { type: T }>[] =>
  stream.map((r) => r.event).filter((e): e is Extract<CaseEvent, { type: T }> => e.type === type);
const indexOf = (stream: readonly Recorded[], type: CaseEvent['type']): number => stream.findIndex((r) => r.event.type === type);

type DecisionData = Omit<Decided['data'], 'caseId'>;

/**
 * The decision in force after each event, modelled here and not with evolve(): a Decided puts one
 * in force; an overturning verdict replaces it (remembering the one it replaced); a rejection voids
 * the decision in force, giving way to the replaced one when it was an overturn. `approvedBy` is
 * who approved the decision in force, if anyone.
 */
interface DecisionModel {
  readonly decision: DecisionData | null;
  readonly approvedBy: string | null;
  readonly replaced: DecisionModel | null;
}

function decisionModels(stream: readonly Recorded[]): DecisionModel[] {
  let model: DecisionModel = { decision: null, approvedBy: null, replaced: null };
  return stream.map(({ event }) => {
    if (event.type === 'Decided') {
      const { caseId: _caseId, ...decision } = event.data;
      model = { decision, approvedBy: null, replaced: null };
    } else if (event.type === 'AppealDecided' && event.data.decision) {
      model = { decision: event.data.decision, approvedBy: null, replaced: model };
    } else if (event.type === 'DecisionApproved') {
      model = { ...model, approvedBy: event.data.approvedBy };
    } else if (event.type === 'DecisionRejected') {
      model = model.replaced ?? { decision: null, approvedBy: null, replaced: null };
    }
    return model;
  });
}

/** Four eyes and appeals, against the model: who may approve, reject and decide an appeal, and when money may move. */
function assertReview(stream: readonly Recorded[], models: readonly DecisionModel[]): void {
  const appeals = ofType(stream, 'DecisionAppealed');
  assert.ok(appeals.length <= 1, 'one appeal per case');
  stream.forEach(({ event }, i) => {
    const before = i > 0 ? models[i - 1]! : { decision: null, approvedBy: null, replaced: null };
    switch (event.type) {
      case 'DecisionApproved':
      case 'DecisionRejected': {
        assert.ok(before.decision?.fourEyes, `${event.type} only of a decision above the four-eyes threshold`);
        assert.equal(before.approvedBy, null, `${event.type} only while the approval is pending`);
        const by = event.type === 'DecisionApproved' ? event.data.approvedBy : event.data.rejectedBy;
        assert.notEqual(by, before.decision.decidedBy, 'four eyes: never the decider');
        break;
      }
      case 'RefundIssued':
        assert.ok(before.decision, 'a refund under a decision in force');
        assert.ok(MONEY_BACK_OUTCOMES.includes(before.decision.outcome), 'refunds only for money back');
        if (before.decision.fourEyes) {
          assert.ok(before.approvedBy !== null && before.approvedBy !== before.decision.decidedBy, 'above the threshold, approved by another person before RefundIssued');
        }
        break;
      case 'AppealDecided':
        assert.equal(appeals.length, 1, 'a verdict answers an appeal');
        assert.notEqual(event.data.decidedBy, appeals[0]!.data.firstDecidedBy, 'an appeal is decided by someone other than the first decider');
        break;
      case 'DecisionAppealed':
        assert.ok(before.decision && before.decision.outcome !== 'refund', 'a full refund is not appealed');
        assert.equal(refundedMoney(stream.slice(0, i)).length, 0, 'no appeal once money moved');
        break;
      case 'DeadlineMissed':
        assert.ok(Date.parse(event.data.missedAt) >= Date.parse(event.data.dueAt), 'never recorded before it is due');
        break;
      default:
        break;
    }
  });
  const missed = ofType(stream, 'DeadlineMissed').map((e) => `${e.data.deadline}@${e.data.dueAt}`);
  assert.equal(new Set(missed).size, missed.length, 'each deadline recorded once');
}

/**
 * Money that has left or is leaving, modelled independently of evolve(): every issued refund counts
 * until a failure of that same refund while in flight; a settlement with no refund in flight counts too.
 */
function refundedMoney(stream: readonly Recorded[]): Money[] {
  const refunds: { reference: string; amount: Money; state: 'in_flight' | 'settled' | 'failed' }[] = [];
  const orphanSettlements: Money[] = [];
  const inFlight = (reference: string) => refunds.filter((r) => r.state === 'in_flight' && r.reference === reference).pop();
  for (const { event } of stream) {
    if (event.type === 'RefundIssued') {
      refunds.push({ reference: event.data.reference, amount: event.data.amount, state: 'in_flight' });
    } else if (event.type === 'RefundSettled') {
      const refund = inFlight(event.data.reference);
      if (refund) refund.state = 'settled';
      else orphanSettlements.push(event.data.amount);
    } else if (event.type === 'RefundFailed') {
      const refund = inFlight(event.data.reference);
      if (refund) refund.state = 'failed';
    }
  }
  return [...refunds.filter((r) => r.state !== 'failed').map((r) => r.amount), ...orphanSettlements];
}

function expectedStatus(stream: readonly Recorded[], models: readonly DecisionModel[]): CaseState['status'] {
  if (indexOf(stream, 'CaseClosed') >= 0) return 'closed';
  if (models[models.length - 1]?.decision) return 'decided';
  if (indexOf(stream, 'Escalated') >= 0) return 'escalated';
  if (indexOf(stream, 'PolicyEvaluated') >= 0) return 'evaluated';
  if (indexOf(stream, 'RequestLogged') >= 0) return 'logged';
  return 'none';
}

const REFUND_STATUS = { RefundIssued: 'issued', RefundSettled: 'settled', RefundFailed: 'failed' } as const;

const sameMoney = (a: Money, b: Money): boolean => a.minor === b.minor && a.currency === b.currency;
const shown = (m: Money | null | undefined): string => (m ? `${m.minor} ${m.currency}` : String(m));

/**
 * Every amount the refund events carry, against a model of the refund kept here (not evolve()'s):
 * an issue is of the decided amount, with nothing in flight or settled; a settlement is of the refund
 * in flight, same reference and same amount; a failure is of the refund in flight, or, before any
 * issue, of the decided amount. The state ends with the model's refund.
 */
function assertRefundAmounts(stream: readonly Recorded[], state: CaseState, models: readonly DecisionModel[]): void {
  let model: { status: 'not_started' | 'issued' | 'settled' | 'failed'; amount: Money | null; reference: string | null } = {
    status: 'not_started',
    amount: null,
    reference: null,
  };
  for (const [i, { event }] of stream.entries()) {
    // The amount of the decision in force when the refund event came.
    const decided: Money | null = (i > 0 ? models[i - 1]!.decision?.amount : null) ?? null;
    if (event.type === 'RefundIssued') {
      const { amount, reference, method } = event.data;
      assert.ok(decided && sameMoney(amount, decided), `issued ${shown(amount)}, decided ${shown(decided)}`);
      assert.ok(model.status === 'not_started' || model.status === 'failed', `issued while a refund is ${model.status}`);
      assert.ok(reference.trim() === reference && reference.length > 0 && method.trim().length > 0, 'an issue names its reference and method');
      model = { status: 'issued', amount, reference };
    } else if (event.type === 'RefundSettled') {
      const { amount, reference } = event.data;
      assert.equal(model.status, 'issued', 'settled only with a refund in flight');
      assert.equal(reference, model.reference, 'settled the refund in flight');
      assert.ok(sameMoney(amount, model.amount!), `settled ${shown(amount)}, issued ${shown(model.amount)}`);
      model = { ...model, status: 'settled' };
    } else if (event.type === 'RefundFailed') {
      const { amount, reference, failureReason } = event.data;
      assert.notEqual(model.status, 'settled', 'no failure after the settlement');
      const attempted = model.status === 'issued' ? model.amount : decided;
      if (model.status === 'issued') assert.equal(reference, model.reference, 'failed the refund in flight');
      assert.ok(attempted && sameMoney(amount, attempted), `failed ${shown(amount)}, attempted ${shown(attempted)}`);
      assert.ok(failureReason.trim().length > 0, 'a failure says why');
      model = { status: 'failed', amount: model.status === 'issued' ? model.amount : null, reference: model.status === 'issued' ? model.reference : null };
    }
  }
  const refund = state.status === 'decided' || state.status === 'closed' ? state.refund : null;
  if (refund && model.status !== 'not_started' && model.status !== 'failed') {
    assert.ok(refund.amount && sameMoney(refund.amount, model.amount!), `state refund ${shown(refund.amount)}, model ${shown(model.amount)}`);
    assert.equal(refund.reference, model.reference, 'state keeps the reference of the refund');
  }
  if (refund) {
    const failures = ofType(stream, 'RefundFailed');
    refund.failures.forEach((f, i) => assert.ok(sameMoney(f.amount, failures[i]!.data.amount), 'each failure keeps its amount'));
  }
}

/**
 * Consumer law as a floor, modelled here and not with checkLegalFloor: against every right the last
 * evaluation before the decision found, the decision in force honours it or contests it, and a
 * contest comes from a senior manager with evidence.
 */
function assertLegalFloorKept(stream: readonly Recorded[], requested: RefundRequest['requestedResolution'], decision: DecisionData): void {
  // The evaluation in force when the last decision was taken (a rejected decision lets the case be evaluated again).
  const decidedAt = stream.map((r) => r.event.type).lastIndexOf('Decided');
  const evaluation = stream.slice(0, decidedAt).map((r) => r.event).filter((e) => e.type === 'PolicyEvaluated').pop();
  const entitlements = evaluation?.type === 'PolicyEvaluated' ? (evaluation.data.legal?.entitlements ?? []) : [];
  for (const contest of decision.contests ?? []) {
    assert.equal(decision.authority.level, 'senior_manager', 'only a senior manager contests a right');
    assert.ok(contest.evidence.length > 0 && contest.evidence.every((ref) => ref.trim().length > 0), 'a contest carries evidence');
    assert.ok(entitlements.some((e) => e.right === contest.right), 'a contest is of a right the evaluation found');
  }
  for (const entitlement of entitlements) {
    if (decision.contests?.some((c) => c.right === entitlement.right)) continue;
    if (entitlement.right === 'withdrawal') {
      assert.equal(decision.outcome, 'refund', `an uncontested withdrawal right is refunded in full, not ${decision.outcome}`);
    } else {
      assert.notEqual(decision.outcome, 'denied', 'no denial in force while an uncontested conformity right applies');
      if (decision.outcome === 'store_credit') assert.equal(requested, 'store_credit', 'store credit under a right only when asked for');
    }
  }
}

// node:assert rather than expect(): this runs thousands of times per test and jest's expect dominates the cost.
function assertInvariants(stream: readonly Recorded[], state: CaseState): void {
  stream.forEach((r, i) => assert.equal(r.version, i + 1, 'stream versions are contiguous from 1'));

  assert.ok(ofType(stream, 'RequestLogged').length <= 1, 'one RequestLogged');
  if (stream.length > 0) assert.equal(stream[0]!.event.type, 'RequestLogged', 'the stream starts with the request');

  const closedAt = indexOf(stream, 'CaseClosed');
  if (closedAt >= 0) assert.equal(closedAt, stream.length - 1, 'nothing after CaseClosed');

  const models = decisionModels(stream);
  const inForce = models[models.length - 1]?.decision ?? null;
  assert.ok(ofType(stream, 'Decided').length <= 1 + ofType(stream, 'DecisionRejected').length, 'a new decision only after one was rejected');
  assert.ok(ofType(stream, 'FollowedUp').length <= 1, 'one follow-up');

  assert.equal(state.status, expectedStatus(stream, models), 'status follows the events');
  const hasDecision = inForce !== null;
  assert.equal(hasDecision, state.status === 'decided' || (state.status === 'closed' && state.decision !== null), 'a decision in force iff decided');
  assertReview(stream, models);

  const decidedAt = indexOf(stream, 'Decided');
  const evaluatedAt = indexOf(stream, 'PolicyEvaluated');
  if (hasDecision) assert.ok(evaluatedAt >= 0 && evaluatedAt < decidedAt, 'decided only after evaluation');
  for (const type of ['CustomerNotified', 'RefundIssued', 'RefundSettled', 'RefundFailed', 'FollowedUp'] as const) {
    const at = indexOf(stream, type);
    if (at >= 0) assert.ok(decidedAt >= 0 && decidedAt < at, `${type} only after the decision`);
  }

  for (const evaluated of ofType(stream, 'PolicyEvaluated')) {
    for (const finding of evaluated.data.findings) {
      for (const value of Object.values(finding.inputs)) {
        const plain = value === null || typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);
        assert.ok(plain, `finding ${finding.rule} records plain inputs, got ${String(value)}`);
      }
    }
  }

  if (state.status === 'none') return;
  const paid = state.request.amount;

  if (inForce) {
    const decision = inForce;
    assert.deepEqual(state.status === 'decided' || state.status === 'closed' ? state.decision : null, decision, 'state holds the decision in force');
    if (decision.amount) {
      assert.equal(decision.amount.currency, paid.currency, 'decided in the currency paid');
      assert.ok(decision.amount.minor > 0 && decision.amount.minor <= paid.minor, 'decided amount within what was paid');
    }
    const escalatedAt = indexOf(stream, 'Escalated');
    const wasEscalated = escalatedAt >= 0 && escalatedAt < stream.map((r) => r.event.type).lastIndexOf('Decided');
    const byAppeal = ofType(stream, 'AppealDecided').some((e) => e.data.decision !== null);
    if (!byAppeal) assert.equal(decision.slaBreached === null, !wasEscalated, 'slaBreached is set iff the case was escalated');
    if (wasEscalated || decision.outcome === 'denied') assert.notEqual(decision.authority.level, 'agent', 'exceptions need a manager');

  }

  if (inForce) assertLegalFloorKept(stream, state.request.requestedResolution, inForce);

  const refunded = refundedMoney(stream);
  for (const money of refunded) assert.equal(money.currency, paid.currency, 'refunds in the case currency');
  const total = refunded.reduce((sum, m) => sum + m.minor, 0);
  assert.ok(total <= paid.minor, `refunded ${total} of ${paid.minor} paid`);
  if (inForce) assert.ok(total <= (inForce.amount?.minor ?? 0), `refunded ${total} beyond the decision`);

  const refund = state.status === 'decided' || state.status === 'closed' ? state.refund : null;
  if (refund) {
    // Refund tracking starts again with each decision put in force (an overturn, a rejection).
    const since = Math.max(...stream.map((r, i) => (r.event.type === 'Decided' || r.event.type === 'DecisionRejected' || (r.event.type === 'AppealDecided' && r.event.data.decision) ? i : -1)));
    const last = stream.slice(since).map((r) => r.event.type).filter((t): t is keyof typeof REFUND_STATUS => t in REFUND_STATUS).pop();
    assert.equal(refund.status, last ? REFUND_STATUS[last] : 'not_started', 'refund status follows the events');
    assert.equal(refund.failures.length, ofType(stream, 'RefundFailed').length, 'every failure is kept');
  }
  if (state.status === 'closed') assert.notEqual(refund?.status, 'issued', 'never closed with a refund in flight');
  assertRefundAmounts(stream, state, models);
}

describe('a refund case under random commands', () => {
  it('keeps its invariants after every step', () => {
    // Printed on success too: a run that passed by luck can be replayed and run longer.
    console.log(`fast-check: seed ${SEED}, ${RUNS} runs (replay: FC_SEED=${SEED} FC_NUM_RUNS=${RUNS})`);
    const reached = { decided: 0, refunded: 0, settled: 0, closed: 0, decidedUnderLaw: 0, contested: 0, approved: 0, rejected: 0, appealed: 0, overturned: 0, deadlineMissed: 0 };
    fc.assert(
      fc.property(scenarioArb, (steps) => {
        const stream: Recorded[] = [];
        let now = START;
        for (const step of steps) {
          now = addHours(now, step.advanceMinutes / 60);
          const before = foldCase(stream.map((r) => r.event));
          const command = toCommand(step, before, now);
          let produced: CaseEvent[] = [];
          try {
            produced = decide(command, before);
          } catch (error) {
            if (!isDomainError(error)) throw error;
          }
          if (before.status === 'closed') assert.deepEqual(produced, [], 'nothing is appended to a closed case');
          for (const event of produced) stream.push({ version: stream.length + 1, event });
          assertInvariants(stream, foldCase(stream.map((r) => r.event)));
        }
        if (indexOf(stream, 'Decided') >= 0) reached.decided++;
        const evaluations = ofType(stream, 'PolicyEvaluated');
        if (indexOf(stream, 'Decided') >= 0 && (evaluations[evaluations.length - 1]?.data.legal?.entitlements.length ?? 0) > 0) reached.decidedUnderLaw++;
        if (ofType(stream, 'Decided')[0]?.data.contests) reached.contested++;
        if (indexOf(stream, 'RefundIssued') >= 0) reached.refunded++;
        if (indexOf(stream, 'RefundSettled') >= 0) reached.settled++;
        if (indexOf(stream, 'CaseClosed') >= 0) reached.closed++;
        if (indexOf(stream, 'DecisionApproved') >= 0) reached.approved++;
        if (indexOf(stream, 'DecisionRejected') >= 0) reached.rejected++;
        if (indexOf(stream, 'DecisionAppealed') >= 0) reached.appealed++;
        if (ofType(stream, 'AppealDecided').some((e) => e.data.verdict === 'overturned')) reached.overturned++;
        if (indexOf(stream, 'DeadlineMissed') >= 0) reached.deadlineMissed++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`reached: ${JSON.stringify(reached)}`);
    // Guards the generators: invariants checked only on shallow histories would prove little.
    expect(reached.decided).toBeGreaterThan(RUNS * 0.4);
    expect(reached.refunded).toBeGreaterThan(RUNS * 0.15);
    expect(reached.settled).toBeGreaterThan(RUNS * 0.03);
    expect(reached.closed).toBeGreaterThan(RUNS * 0.08);
    expect(reached.decidedUnderLaw).toBeGreaterThan(RUNS * 0.05);
    expect(reached.approved).toBeGreaterThan(RUNS * 0.01);
    expect(reached.appealed).toBeGreaterThan(RUNS * 0.02);
    // The rarest paths: 4 to 18 histories in 500 runs depending on the seed. A share as the bar
    // failed about one random seed in thirty (1 rejection where 3 were needed); reaching each at
    // all is the guard, and the seed printed above replays a run that did not.
    expect(reached.contested).toBeGreaterThan(0);
    expect(reached.rejected).toBeGreaterThan(0);
    expect(reached.overturned).toBeGreaterThan(0);
    expect(reached.deadlineMissed).toBeGreaterThan(RUNS * 0.05);
  });
});
