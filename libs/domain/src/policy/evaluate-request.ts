import { AuthorityLevel, maxAuthority } from '../shared/actor';
import { wholeDaysBetween } from '../shared/time';
import type { Outcome, RefundRequest } from '../case/request';
import { authorityForAmount, PolicyInForce, Priority } from './policy';

export const RULES = [
  'statutory_withdrawal',
  'return_window',
  'non_returnable_category',
  'product_condition',
  'repeat_requester',
  'authority_limit',
] as const;
export type RuleName = (typeof RULES)[number];

/** pass: the rule allows the request; fail: it does not; flag: a signal for a human; info: recorded, no effect. */
export type FindingResult = 'pass' | 'fail' | 'flag' | 'info';

export interface Finding {
  readonly rule: RuleName;
  readonly result: FindingResult;
  readonly detail: string;
  readonly inputs: Readonly<Record<string, string | number | boolean | null>>;
}

/** What the read side knew about the customer's earlier cases when the evaluation ran. */
export interface CustomerHistory {
  readonly earlierCases: number;
  readonly earlierRefunds: number;
  readonly lookbackDays: number;
  /** False when the history read model could not confirm it was up to date: recorded, never hidden. */
  readonly complete: boolean;
}

export interface EvaluationResult {
  readonly policyVersion: number;
  readonly withinPolicy: boolean;
  readonly requiredAuthority: AuthorityLevel;
  readonly findings: readonly Finding[];
  readonly inputs: {
    readonly daysSincePurchase: number;
    readonly earlierCases: number;
    readonly earlierRefunds: number;
    readonly lookbackDays: number;
    readonly historyComplete: boolean;
  };
  readonly recommendation: { readonly resolution: Outcome; readonly note: string };
  /** Present when the case must go to a manager: why, and how urgent. */
  readonly escalation: { readonly reasonCodes: readonly RuleName[]; readonly reason: string; readonly priority: Priority } | null;
}

// Country and category are the customer's free text: a name like "constructor" must not reach Object.prototype.
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * Checks a request against the policy in force. Pure: the clock, the policy and the customer's
 * history are inputs, and every rule that fired is returned with the inputs it used.
 */
export function evaluateRequest(
  request: RefundRequest,
  policy: PolicyInForce,
  history: CustomerHistory,
  now: Date,
): EvaluationResult {
  const rules = policy.rules;
  const daysSincePurchase = Math.max(0, wholeDaysBetween(new Date(request.order.purchasedAt), now));
  const findings: Finding[] = [];

  const statutoryDays = own(rules.statutoryWithdrawalDays, request.order.country);
  const statutoryApplies = statutoryDays !== undefined && daysSincePurchase <= statutoryDays;
  if (statutoryDays !== undefined) {
    findings.push({
      rule: 'statutory_withdrawal',
      result: statutoryApplies ? 'pass' : 'info',
      detail: statutoryApplies
        ? `Within the ${statutoryDays}-day statutory withdrawal period for ${request.order.country}`
        : `The ${statutoryDays}-day statutory withdrawal period for ${request.order.country} has passed`,
      inputs: { country: request.order.country, statutoryDays, daysSincePurchase },
    });
  }

  const windowDays = own(rules.returnWindowDays.byCategory, request.product.category) ?? rules.returnWindowDays.default;
  const daysOverWindow = Math.max(0, daysSincePurchase - windowDays);
  findings.push({
    rule: 'return_window',
    result: daysOverWindow === 0 ? 'pass' : 'fail',
    detail:
      daysOverWindow === 0
        ? `Within the ${windowDays}-day return window`
        : `The ${windowDays}-day return window expired ${daysOverWindow} day(s) ago`,
    inputs: { category: request.product.category, windowDays, daysSincePurchase, daysOverWindow },
  });

  const nonReturnable = rules.nonReturnableCategories.includes(request.product.category);
  findings.push({
    rule: 'non_returnable_category',
    result: nonReturnable ? 'fail' : 'pass',
    detail: nonReturnable
      ? `Category ${request.product.category} is not returnable`
      : `Category ${request.product.category} is returnable`,
    inputs: { category: request.product.category },
  });

  // A defect is a claim about the product, so its used condition is expected, not held against it.
  const conditionAccepted =
    rules.acceptedConditions.includes(request.product.condition) || request.reason.code === 'defective';
  findings.push({
    rule: 'product_condition',
    result: conditionAccepted ? 'pass' : 'fail',
    detail: conditionAccepted
      ? `Condition "${request.product.condition}" is acceptable for reason ${request.reason.code}`
      : `Condition "${request.product.condition}" is not among the accepted conditions`,
    inputs: { condition: request.product.condition, reasonCode: request.reason.code },
  });

  const repeat = history.earlierCases >= rules.repeatRequester.threshold;
  findings.push({
    rule: 'repeat_requester',
    result: repeat ? 'flag' : 'pass',
    detail: repeat
      ? `${history.earlierCases} earlier case(s) in ${history.lookbackDays} days (threshold ${rules.repeatRequester.threshold}): review, not a denial`
      : `${history.earlierCases} earlier case(s) in ${history.lookbackDays} days`,
    inputs: {
      earlierCases: history.earlierCases,
      earlierRefunds: history.earlierRefunds,
      threshold: rules.repeatRequester.threshold,
      lookbackDays: history.lookbackDays,
      historyComplete: history.complete,
    },
  });

  const amountAuthority = authorityForAmount(rules, request.amount);
  findings.push({
    rule: 'authority_limit',
    result: amountAuthority === 'agent' ? 'pass' : 'flag',
    detail:
      amountAuthority === 'agent'
        ? 'Amount within the agent limit'
        : `Amount needs ${amountAuthority.replace('_', ' ')} approval`,
    inputs: {
      amountMinor: request.amount.minor,
      currency: request.amount.currency,
      agentLimitMinor: rules.authorityLimits.agent[request.amount.currency] ?? null,
      managerLimitMinor: rules.authorityLimits.manager[request.amount.currency] ?? null,
    },
  });

  const standardReturnAllowed = daysOverWindow === 0 && !nonReturnable && conditionAccepted;
  const withinPolicy = statutoryApplies || standardReturnAllowed;
  const requiredAuthority = withinPolicy ? amountAuthority : maxAuthority('manager', amountAuthority);

  const escalationCodes: RuleName[] = [];
  if (!withinPolicy) {
    for (const f of findings) if (f.result === 'fail') escalationCodes.push(f.rule);
  }
  if (repeat) escalationCodes.push('repeat_requester');
  if (amountAuthority !== 'agent') escalationCodes.push('authority_limit');

  let escalation: EvaluationResult['escalation'] = null;
  if (escalationCodes.length > 0) {
    const reason = findings
      .filter((f) => escalationCodes.includes(f.rule))
      .map((f) => f.detail)
      .join('; ');
    escalation = { reasonCodes: escalationCodes, reason, priority: priorityFor(request, requiredAuthority, withinPolicy, policy) };
  }

  return {
    policyVersion: policy.version,
    withinPolicy,
    requiredAuthority,
    findings,
    inputs: {
      daysSincePurchase,
      earlierCases: history.earlierCases,
      earlierRefunds: history.earlierRefunds,
      lookbackDays: history.lookbackDays,
      historyComplete: history.complete,
    },
    recommendation: recommend(request, withinPolicy, statutoryApplies, daysOverWindow, nonReturnable, policy),
    escalation,
  };
}

function priorityFor(
  request: RefundRequest,
  requiredAuthority: AuthorityLevel,
  withinPolicy: boolean,
  policy: PolicyInForce,
): Priority {
  if (policy.rules.urgentReasonCodes.includes(request.reason.code)) return 'urgent';
  if (requiredAuthority === 'senior_manager') return 'high';
  // Covered by policy and only flagged for review: it can wait behind real exceptions.
  if (withinPolicy && requiredAuthority === 'agent') return 'low';
  return 'normal';
}

function recommend(
  request: RefundRequest,
  withinPolicy: boolean,
  statutoryApplies: boolean,
  daysOverWindow: number,
  nonReturnable: boolean,
  policy: PolicyInForce,
): EvaluationResult['recommendation'] {
  if (statutoryApplies) return { resolution: 'refund', note: 'Statutory withdrawal right: refund in full' };
  if (withinPolicy) return { resolution: request.requestedResolution, note: 'Covered by the return policy' };
  if (request.reason.code === 'defective') {
    return { resolution: 'repair', note: 'Defective product: offer repair or exchange under the legal guarantee' };
  }
  if (!nonReturnable && daysOverWindow > 0 && daysOverWindow <= policy.rules.goodwillGraceDays) {
    return { resolution: 'store_credit', note: `Window missed by ${daysOverWindow} day(s): goodwill store credit` };
  }
  return { resolution: 'denied', note: 'Outside the policy: deny with alternatives (store credit, exchange, repair)' };
}
