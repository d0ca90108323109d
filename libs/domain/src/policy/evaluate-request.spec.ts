import { addHours } from '../shared/time';
import { daysBeforeNow, eur, history, NOW, POLICY, policyInForce, RequestOverrides, sampleRequest } from '../testing/fixtures';
import { CustomerHistory, evaluateRequest, EvaluationResult, Finding, RuleName } from './evaluate-request';
import { DEFAULT_POLICY_RULES, PolicyInForce } from './policy';

/** A sale in the US, where no statutory period applies, so only the shop's own rules decide. */
const usRequest = (daysAgo: number, o: RequestOverrides = {}) =>
  sampleRequest({ ...o, order: { country: 'US', purchasedAt: daysBeforeNow(daysAgo).toISOString(), ...o.order } });

const evaluate = (
  request = sampleRequest(),
  o: { policy?: PolicyInForce; history?: CustomerHistory; now?: Date } = {},
): EvaluationResult => evaluateRequest(request, o.policy ?? POLICY, o.history ?? history(), o.now ?? NOW);

const finding = (result: EvaluationResult, rule: RuleName): Finding | undefined => result.findings.find((f) => f.rule === rule);

describe('evaluateRequest', () => {
  describe('statutory_withdrawal', () => {
    it('passes inside the 14-day period of an EU country, with the inputs used', () => {
      expect(finding(evaluate(), 'statutory_withdrawal')).toEqual({
        rule: 'statutory_withdrawal',
        result: 'pass',
        detail: 'Within the 14-day statutory withdrawal period for IT',
        inputs: { country: 'IT', statutoryDays: 14, daysSincePurchase: 10 },
      });
    });

    it.each(['DE', 'FR', 'ES', 'PT', 'PL', 'RU'])('applies in %s', (country) => {
      const result = evaluate(sampleRequest({ order: { country, purchasedAt: daysBeforeNow(12).toISOString() } }));
      expect(finding(result, 'statutory_withdrawal')).toMatchObject({ result: 'pass', inputs: { country, statutoryDays: 14 } });
    });

    it('still applies on the 14th day and no longer on the 15th, when it is recorded for information', () => {
      const day = (n: number) => evaluate(sampleRequest({ order: { purchasedAt: daysBeforeNow(n).toISOString() } }));
      expect(finding(day(14), 'statutory_withdrawal')?.result).toBe('pass');
      expect(finding(day(15), 'statutory_withdrawal')).toMatchObject({
        result: 'info',
        detail: 'The 14-day statutory withdrawal period for IT has passed',
        inputs: { daysSincePurchase: 15 },
      });
    });

    it('counts whole days, rounding down', () => {
      const purchasedAt = addHours(daysBeforeNow(14), -23).toISOString();
      const result = evaluate(sampleRequest({ order: { purchasedAt } }));
      expect(result.inputs.daysSincePurchase).toBe(14);
      expect(finding(result, 'statutory_withdrawal')?.result).toBe('pass');
    });

    it('is absent for a country without a statutory period', () => {
      const result = evaluate(usRequest(3));
      expect(finding(result, 'statutory_withdrawal')).toBeUndefined();
      expect(result.findings.map((f) => f.rule)).toEqual([
        'return_window',
        'non_returnable_category',
        'product_condition',
        'repeat_requester',
        'authority_limit',
      ]);
    });

    it('follows the statutory periods of the policy passed in', () => {
      const policy = policyInForce({ statutoryWithdrawalDays: { BR: 7 } });
      const result = evaluate(usRequest(5, { order: { country: 'BR' } }), { policy });
      expect(finding(result, 'statutory_withdrawal')).toMatchObject({ result: 'pass', inputs: { statutoryDays: 7 } });
      expect(finding(evaluate(sampleRequest(), { policy }), 'statutory_withdrawal')).toBeUndefined();
    });

    it('makes a used product returnable while it applies', () => {
      const result = evaluate(sampleRequest({ product: { condition: 'used' } }));
      expect(finding(result, 'product_condition')?.result).toBe('fail');
      expect(result.withinPolicy).toBe(true);
      expect(result.escalation).toBeNull();
      expect(result.recommendation).toEqual({ resolution: 'refund', note: 'Statutory withdrawal right: refund in full' });
    });

    it('does not treat an object-prototype name as a country with a statutory period', () => {
      const result = evaluate(usRequest(3, { order: { country: 'constructor' } }));
      expect(finding(result, 'statutory_withdrawal')).toBeUndefined();
      expect(result.withinPolicy).toBe(true);
    });
  });

  describe('return_window', () => {
    it('passes inside the window of the category, with the inputs used', () => {
      expect(finding(evaluate(usRequest(10)), 'return_window')).toEqual({
        rule: 'return_window',
        result: 'pass',
        detail: 'Within the 30-day return window',
        inputs: { category: 'small-appliances', windowDays: 30, daysSincePurchase: 10, daysOverWindow: 0 },
      });
    });

    it.each([
      ['electronics', 14],
      ['clothing', 60],
      ['furniture', 14],
      ['books', 30],
    ])('uses the %s window of %i days, failing the day after', (category, windowDays) => {
      const onLastDay = evaluate(usRequest(windowDays, { product: { category } }));
      expect(finding(onLastDay, 'return_window')).toMatchObject({ result: 'pass', inputs: { windowDays, daysOverWindow: 0 } });
      const dayAfter = evaluate(usRequest(windowDays + 1, { product: { category } }));
      expect(finding(dayAfter, 'return_window')).toEqual({
        rule: 'return_window',
        result: 'fail',
        detail: `The ${windowDays}-day return window expired 1 day(s) ago`,
        inputs: { category, windowDays, daysSincePurchase: windowDays + 1, daysOverWindow: 1 },
      });
    });

    it('counts days over the window', () => {
      expect(finding(evaluate(usRequest(45)), 'return_window')?.inputs).toMatchObject({ daysOverWindow: 15 });
    });

    it('counts a purchase after the evaluation time as day zero', () => {
      const result = evaluate(usRequest(0), { now: addHours(NOW, -5) });
      expect(result.inputs.daysSincePurchase).toBe(0);
    });

    it('uses the default window for a category named like an object-prototype member', () => {
      const result = evaluate(usRequest(10, { product: { category: 'constructor' } }));
      expect(finding(result, 'return_window')).toMatchObject({ result: 'pass', inputs: { windowDays: 30, daysOverWindow: 0 } });
      expect(result.withinPolicy).toBe(true);
    });
  });

  describe('non_returnable_category', () => {
    it.each(DEFAULT_POLICY_RULES.nonReturnableCategories)('fails for %s', (category) => {
      const result = evaluate(usRequest(2, { product: { category } }));
      expect(finding(result, 'non_returnable_category')).toEqual({
        rule: 'non_returnable_category',
        result: 'fail',
        detail: `Category ${category} is not returnable`,
        inputs: { category },
      });
      expect(result.withinPolicy).toBe(false);
    });

    it('passes for a returnable category', () => {
      expect(finding(evaluate(usRequest(2)), 'non_returnable_category')).toMatchObject({
        result: 'pass',
        detail: 'Category small-appliances is returnable',
      });
    });
  });

  describe('product_condition', () => {
    it.each(['new', 'unopened', 'like_new'])('accepts %s', (condition) => {
      const result = evaluate(usRequest(2, { product: { condition } }));
      expect(finding(result, 'product_condition')).toEqual({
        rule: 'product_condition',
        result: 'pass',
        detail: `Condition "${condition}" is acceptable for reason changed_mind`,
        inputs: { condition, reasonCode: 'changed_mind' },
      });
    });

    it('refuses a used product returned for another reason than a defect', () => {
      const result = evaluate(usRequest(2, { product: { condition: 'used' } }));
      expect(finding(result, 'product_condition')).toEqual({
        rule: 'product_condition',
        result: 'fail',
        detail: 'Condition "used" is not among the accepted conditions',
        inputs: { condition: 'used', reasonCode: 'changed_mind' },
      });
      expect(result.withinPolicy).toBe(false);
    });

    it('accepts any condition when the reason is a defect', () => {
      const result = evaluate(usRequest(2, { product: { condition: 'used' }, reason: { code: 'defective' } }));
      expect(finding(result, 'product_condition')).toMatchObject({ result: 'pass', inputs: { condition: 'used', reasonCode: 'defective' } });
      expect(result.withinPolicy).toBe(true);
    });
  });

  describe('repeat_requester', () => {
    it('passes below the threshold, recording the history used', () => {
      const result = evaluate(usRequest(2), { history: history({ earlierCases: 2, earlierRefunds: 1, complete: false }) });
      expect(finding(result, 'repeat_requester')).toEqual({
        rule: 'repeat_requester',
        result: 'pass',
        detail: '2 earlier case(s) in 365 days',
        inputs: { earlierCases: 2, earlierRefunds: 1, threshold: 3, lookbackDays: 365, historyComplete: false },
      });
      expect(result.inputs).toEqual({ daysSincePurchase: 2, earlierCases: 2, earlierRefunds: 1, lookbackDays: 365, historyComplete: false });
    });

    it('flags at the threshold for review, never denying for it', () => {
      const result = evaluate(usRequest(2), { history: history({ earlierCases: 3, earlierRefunds: 3 }) });
      expect(finding(result, 'repeat_requester')).toMatchObject({
        result: 'flag',
        detail: '3 earlier case(s) in 365 days (threshold 3): review, not a denial',
      });
      expect(result.withinPolicy).toBe(true);
      expect(result.requiredAuthority).toBe('agent');
      expect(result.recommendation.resolution).toBe('refund');
    });

    it('follows the threshold of the policy passed in', () => {
      const policy = policyInForce({ repeatRequester: { threshold: 1, lookbackDays: 90 } });
      const result = evaluate(usRequest(2), { policy, history: history({ earlierCases: 1, lookbackDays: 90 }) });
      expect(finding(result, 'repeat_requester')).toMatchObject({ result: 'flag', inputs: { threshold: 1, lookbackDays: 90 } });
    });
  });

  describe('authority_limit', () => {
    it.each([
      [5_000, 'pass', 'agent'],
      [5_001, 'flag', 'manager'],
      [50_000, 'flag', 'manager'],
      [50_001, 'flag', 'senior_manager'],
    ] as const)('%i EUR cents: %s, needs %s', (minor, result, authority) => {
      const evaluation = evaluate(usRequest(2, { amount: eur(minor) }));
      expect(finding(evaluation, 'authority_limit')).toEqual({
        rule: 'authority_limit',
        result,
        detail: authority === 'agent' ? 'Amount within the agent limit' : `Amount needs ${authority.replace('_', ' ')} approval`,
        inputs: { amountMinor: minor, currency: 'EUR', agentLimitMinor: 5_000, managerLimitMinor: 50_000 },
      });
      expect(evaluation.requiredAuthority).toBe(authority);
      expect(evaluation.withinPolicy).toBe(true);
    });

    it('needs a senior manager for a currency the policy sets no limits for', () => {
      const evaluation = evaluate(usRequest(2, { amount: { minor: 100, currency: 'JPY' } }));
      expect(finding(evaluation, 'authority_limit')).toMatchObject({
        result: 'flag',
        inputs: { amountMinor: 100, currency: 'JPY', agentLimitMinor: null, managerLimitMinor: null },
      });
      expect(evaluation.requiredAuthority).toBe('senior_manager');
    });

    it('uses the limits of the currency paid', () => {
      const evaluation = evaluate(usRequest(2, { amount: { minor: 400_000, currency: 'RUB' } }));
      expect(finding(evaluation, 'authority_limit')).toMatchObject({
        result: 'pass',
        inputs: { agentLimitMinor: 500_000, managerLimitMinor: 5_000_000 },
      });
    });
  });

  describe('the verdict', () => {
    it('names the policy version and lets an agent settle an in-policy request', () => {
      const result = evaluate(usRequest(2, { requestedResolution: 'exchange' }), { policy: policyInForce({}, 9) });
      expect(result).toMatchObject({
        policyVersion: 9,
        withinPolicy: true,
        requiredAuthority: 'agent',
        recommendation: { resolution: 'exchange', note: 'Covered by the return policy' },
        escalation: null,
      });
    });

    it('escalates an out-of-policy request to a manager with the failing rules as reasons', () => {
      const result = evaluate(usRequest(40, { product: { condition: 'used' } }));
      expect(result.withinPolicy).toBe(false);
      expect(result.requiredAuthority).toBe('manager');
      expect(result.escalation).toEqual({
        reasonCodes: ['return_window', 'product_condition'],
        reason: 'The 30-day return window expired 10 day(s) ago; Condition "used" is not among the accepted conditions',
        priority: 'normal',
      });
    });

    it('does not cite failures that a statutory right overrides', () => {
      const result = evaluate(sampleRequest({ product: { condition: 'used' }, amount: eur(6_000) }));
      expect(result.withinPolicy).toBe(true);
      expect(result.escalation?.reasonCodes).toEqual(['authority_limit']);
    });

    it('collects every reason: failing rules, repeat requester and authority limit', () => {
      const result = evaluate(usRequest(40, { amount: eur(60_000) }), { history: history({ earlierCases: 5 }) });
      expect(result.requiredAuthority).toBe('senior_manager');
      expect(result.escalation).toMatchObject({
        reasonCodes: ['return_window', 'repeat_requester', 'authority_limit'],
        priority: 'high',
      });
    });

    it.each<[string, RequestOverrides, Partial<CustomerHistory>, string]>([
      ['urgent for an urgent reason code, above everything', { reason: { code: 'safety_hazard' }, amount: eur(60_000) }, {}, 'urgent'],
      ['urgent for an urgent reason code on a small case', { reason: { code: 'safety_hazard' }, product: { condition: 'used' } }, {}, 'urgent'],
      ['high when a senior manager must decide', { amount: eur(60_000) }, {}, 'high'],
      ['normal for an in-policy case above the agent limit', { amount: eur(6_000) }, {}, 'normal'],
      ['normal for an out-of-policy case', { product: { category: 'gift-cards' } }, {}, 'normal'],
      ['normal for an out-of-policy repeat requester', { product: { condition: 'used' } }, { earlierCases: 3 }, 'normal'],
      ['low for an in-policy repeat requester flagged only for review', {}, { earlierCases: 3 }, 'low'],
    ])('priority is %s', (_what, overrides, past, priority) => {
      const result = evaluate(usRequest(2, overrides), { history: history(past) });
      expect(result.escalation?.priority).toBe(priority);
    });

    it('does not escalate an urgent reason the policy already covers', () => {
      const result = evaluate(usRequest(2, { reason: { code: 'safety_hazard' } }));
      expect(result.escalation).toBeNull();
    });
  });

  describe('the recommendation', () => {
    it('recommends repair for a defective product outside the policy', () => {
      const result = evaluate(usRequest(90, { reason: { code: 'defective' }, product: { condition: 'used' } }));
      expect(result.withinPolicy).toBe(false);
      expect(result.recommendation).toEqual({
        resolution: 'repair',
        note: 'Defective product: offer repair or exchange under the legal guarantee',
      });
    });

    it.each([
      [31, 1],
      [37, 7],
    ])('offers goodwill store credit %i days after purchase (%i over the window)', (days, over) => {
      expect(evaluate(usRequest(days)).recommendation).toEqual({
        resolution: 'store_credit',
        note: `Window missed by ${over} day(s): goodwill store credit`,
      });
    });

    it('recommends a reasoned denial beyond the grace period', () => {
      expect(evaluate(usRequest(38)).recommendation).toEqual({
        resolution: 'denied',
        note: 'Outside the policy: deny with alternatives (store credit, exchange, repair)',
      });
    });

    it('follows the grace period of the policy passed in', () => {
      expect(evaluate(usRequest(38), { policy: policyInForce({ goodwillGraceDays: 10 }) }).recommendation.resolution).toBe('store_credit');
      expect(evaluate(usRequest(31), { policy: policyInForce({ goodwillGraceDays: 0 }) }).recommendation.resolution).toBe('denied');
    });

    it('gives no goodwill for a non-returnable category', () => {
      expect(evaluate(usRequest(33, { product: { category: 'gift-cards' } })).recommendation.resolution).toBe('denied');
    });

    it('gives no goodwill for a used product inside the window', () => {
      expect(evaluate(usRequest(5, { product: { condition: 'used' } })).recommendation.resolution).toBe('denied');
    });
  });

  it('is pure: the same inputs give the same result and the request is untouched', () => {
    const request = usRequest(40, { product: { condition: 'used' } });
    const copy = structuredClone(request);
    expect(evaluate(request)).toEqual(evaluate(request));
    expect(request).toEqual(copy);
  });
});
