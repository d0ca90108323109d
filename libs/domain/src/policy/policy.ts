import { AuthorityLevel } from '../shared/actor';
import { InvalidCommandError } from '../shared/errors';
import { isCurrencyCode, Money } from '../shared/money';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);
/** One step more urgent; urgent is the top. */
export const raisePriority = (priority: Priority): Priority => PRIORITIES[Math.min(priorityRank(priority) + 1, PRIORITIES.length - 1)];

/**
 * The rules of the return policy. Revised only by appending a PolicyRevised event, so every
 * evaluation can name the version it used and auditors can see what was in force when.
 */
export interface PolicyRules {
  /** Days after purchase within which a return is accepted, by product category. */
  readonly returnWindowDays: { readonly default: number; readonly byCategory: Readonly<Record<string, number>> };
  readonly nonReturnableCategories: readonly string[];
  /** Product conditions accepted for a standard return ("new", "unopened", ...). */
  readonly acceptedConditions: readonly string[];
  /** Statutory withdrawal right for distance sales, in days, by ISO-3166 country (EU and RU: 14). */
  readonly statutoryWithdrawalDays: Readonly<Record<string, number>>;
  /** A customer with at least `threshold` earlier cases in the look-back period is flagged for review. */
  readonly repeatRequester: { readonly threshold: number; readonly lookbackDays: number };
  /** Highest amount (minor units, by currency) each level may settle; above the manager limit a senior manager decides. */
  readonly authorityLimits: {
    readonly agent: Readonly<Record<string, number>>;
    readonly manager: Readonly<Record<string, number>>;
  };
  /** Hours an escalated case may wait for a decision, by priority. */
  readonly slaHours: Readonly<Record<Priority, number>>;
  /** Reason codes escalated as urgent (e.g. a safety hazard). */
  readonly urgentReasonCodes: readonly string[];
  /** A window missed by at most this many days earns a goodwill recommendation rather than a denial. */
  readonly goodwillGraceDays: number;
  /** Days after a decision when the customer is asked whether the resolution satisfied them. */
  readonly followUpDelayDays: number;
  /** Business days the money usually takes to arrive, quoted to the customer. */
  readonly refundSettlementDays: { readonly min: number; readonly max: number };
  /**
   * Four eyes: a money-back decision above this amount (minor units, by currency) needs a second
   * approver before any refund is executed. A currency without an entry needs none. Absent in
   * policies written before four eyes existed: read as DEFAULT_FOUR_EYES_THRESHOLD.
   */
  readonly fourEyesThreshold?: Readonly<Record<string, number>>;
  /** Days after a decision within which a denial or partial outcome may be appealed (absent: DEFAULT_APPEAL_WINDOW_DAYS). */
  readonly appealWindowDays?: number;
}

export interface PolicyInForce {
  readonly version: number;
  readonly rules: PolicyRules;
  readonly revisedAt: string;
  readonly revisedBy: string;
  readonly changeNote: string;
}

const EU_AND_EEA = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
];

/** Twice the manager limit: the decisions a senior manager takes alone are the ones a second person checks. */
export const DEFAULT_FOUR_EYES_THRESHOLD: Readonly<Record<string, number>> = {
  EUR: 100_000, USD: 100_000, GBP: 100_000, CHF: 100_000, RUB: 10_000_000, BRL: 500_000, SAR: 400_000, AED: 400_000,
};
export const DEFAULT_APPEAL_WINDOW_DAYS = 30;

export const DEFAULT_POLICY_RULES: PolicyRules = {
  returnWindowDays: {
    default: 30,
    byCategory: { electronics: 14, 'small-appliances': 30, clothing: 60, furniture: 14 },
  },
  nonReturnableCategories: ['gift-cards', 'perishables', 'personal-care', 'software-downloads'],
  acceptedConditions: ['new', 'unopened', 'like_new'],
  statutoryWithdrawalDays: { ...Object.fromEntries(EU_AND_EEA.map((country) => [country, 14])), RU: 14, GB: 14 },
  repeatRequester: { threshold: 3, lookbackDays: 365 },
  authorityLimits: {
    agent: { EUR: 5_000, USD: 5_000, GBP: 5_000, CHF: 5_000, RUB: 500_000, BRL: 25_000, SAR: 20_000, AED: 20_000 },
    manager: {
      EUR: 50_000, USD: 50_000, GBP: 50_000, CHF: 50_000, RUB: 5_000_000, BRL: 250_000, SAR: 200_000, AED: 200_000,
    },
  },
  slaHours: { urgent: 4, high: 24, normal: 48, low: 120 },
  urgentReasonCodes: ['safety_hazard'],
  goodwillGraceDays: 7,
  followUpDelayDays: 7,
  refundSettlementDays: { min: 3, max: 10 },
  fourEyesThreshold: DEFAULT_FOUR_EYES_THRESHOLD,
  appealWindowDays: DEFAULT_APPEAL_WINDOW_DAYS,
};

/** The amount above which a money-back decision in this currency needs a second approver; null: never. */
export function fourEyesThreshold(rules: PolicyRules, currency: string): Money | null {
  const minor = (rules.fourEyesThreshold ?? DEFAULT_FOUR_EYES_THRESHOLD)[currency];
  return minor === undefined ? null : { minor, currency };
}

export const appealWindowDays = (rules: PolicyRules): number => rules.appealWindowDays ?? DEFAULT_APPEAL_WINDOW_DAYS;

/** The limit of one authority level for a currency; senior managers have none. Undefined: no limit set for that currency. */
export function authorityLimit(rules: PolicyRules, level: AuthorityLevel, currency: string): Money | null | undefined {
  if (level === 'senior_manager') return null;
  const minor = rules.authorityLimits[level][currency];
  return minor === undefined ? undefined : { minor, currency };
}

/**
 * The lowest authority that may settle this amount. A currency without a limit for a level is
 * treated as above that level's limit: the safe reading of a gap in the policy.
 */
export function authorityForAmount(rules: PolicyRules, amount: Money): AuthorityLevel {
  const agent = rules.authorityLimits.agent[amount.currency];
  if (amount.minor === 0 || (agent !== undefined && amount.minor <= agent)) return 'agent';
  const manager = rules.authorityLimits.manager[amount.currency];
  if (manager !== undefined && amount.minor <= manager) return 'manager';
  return 'senior_manager';
}

/**
 * A century: every period of the policy is added to a date somewhere (deadlines, look-back,
 * follow-up), and a date beyond JavaScript's ±273,790 years cannot even be written out.
 */
export const MAX_POLICY_DAYS = 36_500;
export const MAX_POLICY_HOURS = MAX_POLICY_DAYS * 24;

const isWholeDays = (n: unknown, min = 0): n is number => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= MAX_POLICY_DAYS;
const isWholeNumber = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Refuses a rule set that would make evaluation meaningless; names the first bad field. */
export function assertValidPolicyRules(rules: PolicyRules): void {
  const fail = (field: string, message: string): never => {
    throw new InvalidCommandError(`${field} ${message}`, `rules.${field}`);
  };
  if (!isWholeDays(rules.returnWindowDays.default)) fail('returnWindowDays.default', `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  for (const [category, days] of Object.entries(rules.returnWindowDays.byCategory)) {
    if (!isWholeDays(days)) fail(`returnWindowDays.byCategory.${category}`, `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  }
  for (const [country, days] of Object.entries(rules.statutoryWithdrawalDays)) {
    if (!/^[A-Z]{2}$/.test(country)) fail(`statutoryWithdrawalDays.${country}`, 'must be keyed by an ISO-3166 alpha-2 code');
    if (!isWholeDays(days)) fail(`statutoryWithdrawalDays.${country}`, `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  }
  if (!isWholeNumber(rules.repeatRequester.threshold) || rules.repeatRequester.threshold < 1) fail('repeatRequester.threshold', 'must be a whole number ≥ 1');
  if (!isWholeDays(rules.repeatRequester.lookbackDays, 1)) fail('repeatRequester.lookbackDays', `must be a whole number of days from 1 to ${MAX_POLICY_DAYS}`);
  for (const level of ['agent', 'manager'] as const) {
    for (const [currency, minor] of Object.entries(rules.authorityLimits[level])) {
      if (!isCurrencyCode(currency)) fail(`authorityLimits.${level}.${currency}`, 'must be keyed by an ISO-4217 code');
      if (!isWholeNumber(minor)) fail(`authorityLimits.${level}.${currency}`, 'must be a whole number of minor units ≥ 0');
    }
  }
  for (const [currency, agentLimit] of Object.entries(rules.authorityLimits.agent)) {
    const managerLimit = rules.authorityLimits.manager[currency];
    if (managerLimit === undefined || managerLimit < agentLimit) {
      fail(`authorityLimits.manager.${currency}`, 'must be set and at least the agent limit');
    }
  }
  for (const priority of ['low', 'normal', 'high', 'urgent'] as const) {
    const hours = rules.slaHours[priority];
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > MAX_POLICY_HOURS) {
      fail(`slaHours.${priority}`, `must be a positive number of hours, at most ${MAX_POLICY_HOURS}`);
    }
  }
  if (!isWholeDays(rules.goodwillGraceDays)) fail('goodwillGraceDays', `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  if (!isWholeDays(rules.followUpDelayDays)) fail('followUpDelayDays', `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  const { min, max } = rules.refundSettlementDays;
  if (!isWholeDays(min) || !isWholeDays(max) || max < min) fail('refundSettlementDays', `must be whole days up to ${MAX_POLICY_DAYS} with min ≤ max`);
  for (const [currency, minor] of Object.entries(rules.fourEyesThreshold ?? {})) {
    if (!isCurrencyCode(currency)) fail(`fourEyesThreshold.${currency}`, 'must be keyed by an ISO-4217 code');
    if (!isWholeNumber(minor)) fail(`fourEyesThreshold.${currency}`, 'must be a whole number of minor units ≥ 0');
  }
  if (rules.appealWindowDays !== undefined && !isWholeDays(rules.appealWindowDays)) {
    fail('appealWindowDays', `must be a whole number of days from 0 to ${MAX_POLICY_DAYS}`);
  }
}
