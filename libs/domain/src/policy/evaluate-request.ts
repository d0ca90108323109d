import { AuthorityLevel, maxAuthority } from '../shared/actor';
import { wholeDaysBetween } from '../shared/time';
import type { Outcome, RefundRequest } from '../case/request';
import { assessLegalRights, LegalAssessment, LegalEntitlement, LegalFacts } from '../legal/entitlements';
import { allowedOutcomes } from '../legal/legal-floor';
import type { LegalRulesInForce } from '../legal/legal-rules';
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
  /**
   * The statutory rights found, with the version of the law applied. Present only when the law was
   * given, so evaluations recorded before the legal floor existed keep their exact shape.
   */
  readonly legal?: LegalAssessment;
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
  law?: LegalRulesInForce,
): EvaluationResult {
  const rules = policy.rules;
  const legal = law ? assessLegalRights(legalFactsOf(request), law, now) : undefined;
  const entitlements = legal?.entitlements ?? [];
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
  // A request the law covers is the customer's right, not an exception: only the amount decides who settles it.
  const exception = !withinPolicy && entitlements.length === 0;
  const requiredAuthority = exception ? maxAuthority('manager', amountAuthority) : amountAuthority;

  const escalationCodes: RuleName[] = [];
  if (exception) {
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
    escalation = { reasonCodes: escalationCodes, reason, priority: priorityFor(request, requiredAuthority, !exception, policy) };
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
    recommendation:
      recommendUnderLaw(request, entitlements) ?? recommend(request, withinPolicy, statutoryApplies, daysOverWindow, nonReturnable, policy),
    escalation,
    ...(legal ? { legal } : {}),
  };
}

/** What the law looks at in a request. */
export function legalFactsOf(request: RefundRequest): LegalFacts {
  return {
    country: request.order.country,
    purchasedAt: request.order.purchasedAt,
    deliveredAt: request.order.deliveredAt ?? null,
    saleChannel: request.order.saleChannel ?? null,
    returnInformationGiven: request.order.returnInformationGiven ?? null,
    category: request.product.category,
    condition: request.product.condition,
    reasonCode: request.reason.code,
    defectNoticedAt: request.reason.defectNoticedAt ?? null,
  };
}

const cite = (entitlement: LegalEntitlement): string => `${entitlement.source.act}, ${entitlement.source.article}`;

/**
 * The law's answer where a right applies: a withdrawal is a full refund; a defect claim gets the
 * remedy the customer asked for when the law allows it, otherwise the first remedy the law names.
 */
function recommendUnderLaw(request: RefundRequest, entitlements: readonly LegalEntitlement[]): EvaluationResult['recommendation'] | null {
  const withdrawal = entitlements.find((e) => e.right === 'withdrawal');
  if (withdrawal) {
    const due = withdrawal.refundDueDays === 0 ? 'at once' : `within ${withdrawal.refundDueDays} days`;
    return { resolution: 'refund', note: `Statutory withdrawal right (${cite(withdrawal)}): refund in full, ${due}` };
  }
  const conformity = entitlements.find((e) => e.right === 'conformity');
  if (!conformity) return null;
  const allowed = allowedOutcomes(conformity, request.requestedResolution);
  const firstTier = allowedOutcomes({ ...conformity, remedies: conformity.remedies.slice(0, 1) }, request.requestedResolution);
  const resolution = firstTier.includes(request.requestedResolution) ? request.requestedResolution : (firstTier[0] ?? allowed[0] ?? 'repair');
  return {
    resolution,
    note: `Legal guarantee of conformity (${cite(conformity)}, until ${conformity.until.slice(0, 10)}): ${resolution.replace('_', ' ')}; a denial needs the right contested with evidence`,
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
