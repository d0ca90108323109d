import { InvalidCommandError } from '../shared/errors';
import {
  assertValidPolicyRules,
  DEFAULT_POLICY_RULES,
  fourEyesThreshold,
  MAX_POLICY_HOURS,
  PolicyRules,
  raisePriority,
} from './policy';

/** What an admin reads when a policy revision is refused: the field and every word, at each limit. */
type Loose = Record<string, unknown>;
const rulesWith = (patch: Loose): PolicyRules => ({ ...structuredClone(DEFAULT_POLICY_RULES), ...patch }) as PolicyRules;

function verdict(rules: PolicyRules): { field: string | undefined; message: string } | 'valid' {
  try {
    assertValidPolicyRules(rules);
    return 'valid';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCommandError);
    return { field: (error as InvalidCommandError).field, message: (error as InvalidCommandError).message };
  }
}
const refused = (field: string, message: string) => ({ field: `rules.${field}`, message: `${field} ${message}` });
const DAYS = 'must be a whole number of days from 0 to 36500';
const sla = (hours: unknown) => rulesWith({ slaHours: { ...DEFAULT_POLICY_RULES.slaHours, low: hours } });

describe('assertValidPolicyRules, word for word', () => {
  it.each([
    ['returnWindowDays.default', { returnWindowDays: { default: -1, byCategory: {} } }, DAYS],
    ['returnWindowDays.byCategory.toys', { returnWindowDays: { default: 30, byCategory: { toys: 1.5 } } }, DAYS],
    ['statutoryWithdrawalDays.Italy', { statutoryWithdrawalDays: { Italy: 14 } }, 'must be keyed by an ISO-3166 alpha-2 code'],
    ['statutoryWithdrawalDays.IT', { statutoryWithdrawalDays: { IT: 36_501 } }, DAYS],
    ['repeatRequester.threshold', { repeatRequester: { threshold: 0, lookbackDays: 365 } }, 'must be a whole number ≥ 1'],
    ['repeatRequester.lookbackDays', { repeatRequester: { threshold: 3, lookbackDays: 0 } }, 'must be a whole number of days from 1 to 36500'],
    ['authorityLimits.agent.eur', { authorityLimits: { agent: { eur: 1 }, manager: { EUR: 1 } } }, 'must be keyed by an ISO-4217 code'],
    ['authorityLimits.agent.EUR', { authorityLimits: { agent: { EUR: -1 }, manager: { EUR: 1 } } }, 'must be a whole number of minor units ≥ 0'],
    ['authorityLimits.manager.EUR', { authorityLimits: { agent: { EUR: 10 }, manager: { EUR: 9 } } }, 'must be set and at least the agent limit'],
    ['goodwillGraceDays', { goodwillGraceDays: -1 }, DAYS],
    ['followUpDelayDays', { followUpDelayDays: 36_501 }, DAYS],
    ['refundSettlementDays', { refundSettlementDays: { min: 4, max: 3 } }, 'must be whole days up to 36500 with min ≤ max'],
    ['fourEyesThreshold.XYZ', { fourEyesThreshold: { XYZ: 100 } }, 'must be keyed by an ISO-4217 code'],
    ['fourEyesThreshold.EUR', { fourEyesThreshold: { EUR: -1 } }, 'must be a whole number of minor units ≥ 0'],
    ['fourEyesThreshold.USD', { fourEyesThreshold: { USD: 0.5 } }, 'must be a whole number of minor units ≥ 0'],
    ['appealWindowDays', { appealWindowDays: -1 }, DAYS],
    ['appealWindowDays', { appealWindowDays: 36_501 }, DAYS],
  ])('refuses %s', (field, patch, message) => {
    expect(verdict(rulesWith(patch))).toEqual(refused(field, message));
  });

  it.each([
    ['a repeat threshold of one', { repeatRequester: { threshold: 1, lookbackDays: 1 } }],
    ['limits of zero', { authorityLimits: { agent: { EUR: 0 }, manager: { EUR: 0 } }, fourEyesThreshold: { EUR: 0 } }],
    ['no four-eyes thresholds (a policy older than four eyes)', { fourEyesThreshold: undefined }],
    ['no appeal window (a policy older than appeals)', { appealWindowDays: undefined }],
    ['an appeal window of zero days', { appealWindowDays: 0 }],
    ['an appeal window of a century', { appealWindowDays: 36_500 }],
  ])('accepts %s', (_name, patch) => {
    expect(verdict(rulesWith(patch))).toBe('valid');
  });

  describe('SLA hours', () => {
    const message = `must be a positive number of hours, at most ${MAX_POLICY_HOURS}`;
    it('may be fractional, up to a century of hours', () => {
      expect(MAX_POLICY_HOURS).toBe(876_000);
      expect(verdict(sla(0.5))).toBe('valid');
      expect(verdict(sla(876_000))).toBe('valid');
    });

    it.each([['one hour over a century', 876_001], ['text', '4'], ['not a number', Number.NaN], ['zero', 0]])('refuses %s', (_name, hours) => {
      expect(verdict(sla(hours))).toEqual(refused('slaHours.low', message));
    });
  });
});

describe('the default policy', () => {
  it('takes back no gift cards, perishables, personal care or downloads', () => {
    expect(DEFAULT_POLICY_RULES.nonReturnableCategories).toEqual(['gift-cards', 'perishables', 'personal-care', 'software-downloads']);
  });

  it('needs no second approver in a currency without a threshold', () => {
    expect(fourEyesThreshold(DEFAULT_POLICY_RULES, 'JPY')).toBeNull();
    expect(fourEyesThreshold(DEFAULT_POLICY_RULES, 'EUR')).toEqual({ minor: 100_000, currency: 'EUR' });
  });
});

describe('raisePriority', () => {
  it('raises one step, and urgent stays urgent', () => {
    expect(['low', 'normal', 'high', 'urgent'].map((p) => raisePriority(p as 'low'))).toEqual(['normal', 'high', 'urgent', 'urgent']);
  });
});
