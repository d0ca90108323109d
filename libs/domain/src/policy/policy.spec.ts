import { InvalidCommandError } from '../shared/errors';
import { assertValidPolicyRules, authorityForAmount, authorityLimit, DEFAULT_POLICY_RULES, PolicyRules } from './policy';

type Mutation = (rules: Mutable<PolicyRules>) => void;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

const rulesWith = (mutate: Mutation): PolicyRules => {
  const rules = structuredClone(DEFAULT_POLICY_RULES) as Mutable<PolicyRules>;
  mutate(rules);
  return rules;
};

const refusal = (rules: PolicyRules): InvalidCommandError => {
  try {
    assertValidPolicyRules(rules);
  } catch (error) {
    if (error instanceof InvalidCommandError) return error;
    throw error;
  }
  throw new Error('the rules were accepted');
};

describe('policy rules', () => {
  it('the default rules are valid', () => {
    expect(() => assertValidPolicyRules(DEFAULT_POLICY_RULES)).not.toThrow();
  });

  it('the default rules give the EU, the EEA, Russia and the UK a 14-day statutory period, and the US none', () => {
    for (const country of ['IT', 'DE', 'FR', 'ES', 'PT', 'PL', 'SE', 'NO', 'RU', 'GB']) {
      expect(DEFAULT_POLICY_RULES.statutoryWithdrawalDays[country]).toBe(14);
    }
    expect(DEFAULT_POLICY_RULES.statutoryWithdrawalDays.US).toBeUndefined();
    expect(DEFAULT_POLICY_RULES.statutoryWithdrawalDays.BR).toBeUndefined();
  });

  describe('assertValidPolicyRules refuses', () => {
    it.each<[string, Mutation, string]>([
      ['a negative default window', (r) => void (r.returnWindowDays.default = -1), 'rules.returnWindowDays.default'],
      ['a fractional default window', (r) => void (r.returnWindowDays.default = 1.5), 'rules.returnWindowDays.default'],
      // Periods are added to dates: beyond a century they overflow what a date can hold.
      ['a window of more than a century', (r) => void (r.returnWindowDays.default = 36_501), 'rules.returnWindowDays.default'],
      ['a look-back of 2^31 days', (r) => void (r.repeatRequester.lookbackDays = 2 ** 31 - 1), 'rules.repeatRequester.lookbackDays'],
      ['a follow-up delay of a million days', (r) => void (r.followUpDelayDays = 1_000_000), 'rules.followUpDelayDays'],
      ['an SLA of 10^9 hours', (r) => void (r.slaHours.low = 1e9), 'rules.slaHours.low'],
      ['a settlement period beyond a century', (r) => void (r.refundSettlementDays.max = 40_000), 'rules.refundSettlementDays'],
      ['a negative category window', (r) => void (r.returnWindowDays.byCategory.electronics = -14), 'rules.returnWindowDays.byCategory.electronics'],
      ['a country that is not alpha-2', (r) => void (r.statutoryWithdrawalDays.ITA = 14), 'rules.statutoryWithdrawalDays.ITA'],
      ['a negative statutory period', (r) => void (r.statutoryWithdrawalDays.IT = -1), 'rules.statutoryWithdrawalDays.IT'],
      ['a repeat threshold of zero', (r) => void (r.repeatRequester.threshold = 0), 'rules.repeatRequester.threshold'],
      ['a look-back of zero days', (r) => void (r.repeatRequester.lookbackDays = 0), 'rules.repeatRequester.lookbackDays'],
      ['a limit in an unknown currency', (r) => void (r.authorityLimits.agent.XYZ = 100), 'rules.authorityLimits.agent.XYZ'],
      ['a negative agent limit', (r) => void (r.authorityLimits.agent.EUR = -1), 'rules.authorityLimits.agent.EUR'],
      ['a fractional manager limit', (r) => void (r.authorityLimits.manager.EUR = 10.5), 'rules.authorityLimits.manager.EUR'],
      ['a manager limit below the agent limit', (r) => void (r.authorityLimits.manager.EUR = 4_999), 'rules.authorityLimits.manager.EUR'],
      ['an agent limit without a manager limit', (r) => void delete r.authorityLimits.manager.GBP, 'rules.authorityLimits.manager.GBP'],
      ['an SLA of zero hours', (r) => void (r.slaHours.urgent = 0), 'rules.slaHours.urgent'],
      ['a negative SLA', (r) => void (r.slaHours.low = -5), 'rules.slaHours.low'],
      ['an infinite SLA', (r) => void (r.slaHours.normal = Number.POSITIVE_INFINITY), 'rules.slaHours.normal'],
      ['a missing SLA', (r) => void delete (r.slaHours as Partial<Mutable<PolicyRules>['slaHours']>).high, 'rules.slaHours.high'],
      ['a negative grace period', (r) => void (r.goodwillGraceDays = -1), 'rules.goodwillGraceDays'],
      ['a fractional follow-up delay', (r) => void (r.followUpDelayDays = 1.5), 'rules.followUpDelayDays'],
      ['settlement days with min above max', (r) => void (r.refundSettlementDays = { min: 5, max: 3 }), 'rules.refundSettlementDays'],
      ['negative settlement days', (r) => void (r.refundSettlementDays = { min: -1, max: 3 }), 'rules.refundSettlementDays'],
    ])('%s', (_what, mutate, field) => {
      const error = refusal(rulesWith(mutate));
      expect(error.field).toBe(field);
      expect(error.message).toContain(field.replace('rules.', ''));
    });
  });

  describe('assertValidPolicyRules accepts', () => {
    it.each<[string, Mutation]>([
      ['a zero-day window', (r) => void (r.returnWindowDays.byCategory.perishables = 0)],
      ['a manager limit equal to the agent limit', (r) => void (r.authorityLimits.manager.EUR = 5_000)],
      ['a century-long window and look-back', (r) => void ((r.returnWindowDays.default = 36_500), (r.repeatRequester.lookbackDays = 36_500))],
      ['a limit far above a century of days', (r) => void (r.authorityLimits.manager.EUR = 10_000_000_000)],
      ['a currency only managers may settle', (r) => void (r.authorityLimits.manager.JPY = 100_000)],
      ['fractional SLA hours', (r) => void (r.slaHours.urgent = 0.5)],
      ['same-day settlement', (r) => void (r.refundSettlementDays = { min: 0, max: 0 })],
    ])('%s', (_what, mutate) => {
      expect(() => assertValidPolicyRules(rulesWith(mutate))).not.toThrow();
    });
  });

  describe('authorityForAmount', () => {
    it.each([
      [{ minor: 5_000, currency: 'EUR' }, 'agent'],
      [{ minor: 5_001, currency: 'EUR' }, 'manager'],
      [{ minor: 50_000, currency: 'EUR' }, 'manager'],
      [{ minor: 50_001, currency: 'EUR' }, 'senior_manager'],
      [{ minor: 500_000, currency: 'RUB' }, 'agent'],
      [{ minor: 1, currency: 'JPY' }, 'senior_manager'],
      [{ minor: 0, currency: 'JPY' }, 'agent'],
    ])('%p needs %s', (amount, level) => {
      expect(authorityForAmount(DEFAULT_POLICY_RULES, amount)).toBe(level);
    });

    it('reads a currency with only a manager limit as above the agent limit', () => {
      const rules = rulesWith((r) => void (r.authorityLimits.manager.JPY = 100_000));
      expect(authorityForAmount(rules, { minor: 1, currency: 'JPY' })).toBe('manager');
      expect(authorityForAmount(rules, { minor: 100_001, currency: 'JPY' })).toBe('senior_manager');
    });
  });

  describe('authorityLimit', () => {
    it('gives each level its limit in the currency, none for senior managers', () => {
      expect(authorityLimit(DEFAULT_POLICY_RULES, 'agent', 'EUR')).toEqual({ minor: 5_000, currency: 'EUR' });
      expect(authorityLimit(DEFAULT_POLICY_RULES, 'manager', 'BRL')).toEqual({ minor: 250_000, currency: 'BRL' });
      expect(authorityLimit(DEFAULT_POLICY_RULES, 'senior_manager', 'EUR')).toBeNull();
      expect(authorityLimit(DEFAULT_POLICY_RULES, 'agent', 'JPY')).toBeUndefined();
    });
  });
});
