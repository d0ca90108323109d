import { InvalidCommandError } from '../shared/errors';

/**
 * Consumer law as data, apart from the merchant's policy: the policy may be more generous, never
 * less. Like the policy, the rules are revised only by appending an event, so every evaluation
 * names the version of the law it applied and an auditor can see what the system believed then.
 */

/** How the sale was made: withdrawal rights exist only for distance and off-premises sales. */
export const SALE_CHANNELS = ['online', 'phone', 'off_premises', 'in_store'] as const;
export type SaleChannel = (typeof SALE_CHANNELS)[number];

export const LEGAL_RIGHTS = ['withdrawal', 'conformity'] as const;
export type LegalRight = (typeof LEGAL_RIGHTS)[number];

/** What the law lets the consumer ask for, in the law's own words. */
export const REMEDIES = ['repair', 'replacement', 'price_reduction', 'refund'] as const;
export type Remedy = (typeof REMEDIES)[number];

/** The act and article a right comes from: quoted to managers, auditors and the customer. */
export interface LegalSource {
  readonly act: string;
  readonly article: string;
}

/** A calendar period: months are calendar months (a two-year guarantee ends on the same date). */
export interface LegalPeriod {
  readonly days?: number;
  readonly months?: number;
}

export interface WithdrawalRule {
  readonly source: LegalSource;
  /** Counted from delivery (the day after it), ending at the end of the last day. */
  readonly period: LegalPeriod;
  /** A longer period when the seller gave no written return information (RU ст. 26.1 п. 4). */
  readonly periodWithoutReturnInformation?: LegalPeriod;
  readonly channels: readonly SaleChannel[];
  /** Categories the law exempts (perishables, custom-made goods, started digital content...). */
  readonly exemptCategories: readonly string[];
  /** Hygiene categories exempt once unsealed; conditions in `sealedConditions` count as still sealed. */
  readonly sealedHygieneCategories: readonly string[];
  readonly sealedConditions: readonly string[];
  /** Days after withdrawal within which the money is due; 0 means at once. */
  readonly refundDueDays: number;
  readonly refundSource: LegalSource;
}

export interface ConformityRule {
  readonly source: LegalSource;
  /** How long the seller answers for a defect. */
  readonly period: LegalPeriod;
  /** A shorter or longer period by product category (BR: non-durable goods 30 days). */
  readonly periodByCategory?: Readonly<Record<string, LegalPeriod>>;
  /** delivery: from delivery; defect_noticed: from when a hidden defect showed (BR CDC art. 26 §3). */
  readonly countedFrom: 'delivery' | 'defect_noticed';
  /** Within this period from delivery a defect is presumed to have existed at delivery. */
  readonly presumption?: LegalPeriod;
  /** Remedies by tier: the consumer may ask for a later tier only when the earlier ones fail. */
  readonly remedies: readonly (readonly Remedy[])[];
  /** The consumer picks the remedy within a tier and the seller must follow (RU ст. 18 п. 1). */
  readonly consumerChooses: boolean;
  /** A first period in which the consumer may reject the goods for a refund at once (GB CRA 2015 s. 22). */
  readonly earlyRejection?: { readonly period: LegalPeriod; readonly source: LegalSource };
  /** Days within which a refund under this right is due; null when the law sets none. */
  readonly refundDueDays: number | null;
  readonly refundSource?: LegalSource;
}

export interface Jurisdiction {
  readonly name: string;
  readonly withdrawal?: WithdrawalRule;
  readonly conformity?: ConformityRule;
}

export interface LegalRules {
  /** By ISO-3166 alpha-2 country of the sale. */
  readonly jurisdictions: Readonly<Record<string, Jurisdiction>>;
  /** Reason codes that claim the product is defective or not as agreed. */
  readonly defectReasonCodes: readonly string[];
}

export interface LegalRulesInForce {
  readonly version: number;
  readonly rules: LegalRules;
  readonly revisedAt: string;
  readonly revisedBy: string;
  readonly changeNote: string;
}

const EU_WITHDRAWAL: WithdrawalRule = {
  source: { act: 'Directive 2011/83/EU', article: 'art. 9' },
  period: { days: 14 },
  channels: ['online', 'phone', 'off_premises'],
  // Art. 16 (c), (d), (e), (m): made to the consumer's specification, perishable, unsealed hygiene
  // goods, digital content once supplied.
  exemptCategories: ['perishables', 'custom-made', 'software-downloads', 'gift-cards'],
  sealedHygieneCategories: ['personal-care'],
  sealedConditions: ['new', 'unopened'],
  refundDueDays: 14,
  refundSource: { act: 'Directive 2011/83/EU', article: 'art. 13' },
};

const EU_CONFORMITY: ConformityRule = {
  source: { act: 'Directive (EU) 2019/771', article: 'art. 10' },
  period: { months: 24 },
  countedFrom: 'delivery',
  presumption: { months: 12 },
  remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
  consumerChooses: false,
  refundDueDays: 14,
  refundSource: { act: 'Directive (EU) 2019/771', article: 'art. 16' },
};

const EU_AND_EEA: Readonly<Record<string, string>> = {
  AT: 'Austria', BE: 'Belgium', BG: 'Bulgaria', HR: 'Croatia', CY: 'Cyprus', CZ: 'Czechia', DK: 'Denmark',
  EE: 'Estonia', FI: 'Finland', FR: 'France', DE: 'Germany', GR: 'Greece', HU: 'Hungary', IE: 'Ireland',
  IT: 'Italy', LV: 'Latvia', LT: 'Lithuania', LU: 'Luxembourg', MT: 'Malta', NL: 'Netherlands', PL: 'Poland',
  PT: 'Portugal', RO: 'Romania', SK: 'Slovakia', SI: 'Slovenia', ES: 'Spain', SE: 'Sweden', IS: 'Iceland',
  LI: 'Liechtenstein', NO: 'Norway',
};

/**
 * Member states that went beyond the directive's minimum (art. 10(3) and (2)): a longer liability
 * period and a longer presumption. Kept as overrides so a revision can add a state in one line.
 */
const EU_EXTENSIONS: Readonly<Record<string, Partial<ConformityRule>>> = {
  // Decreto-Lei 84/2021 art. 12 and 13: three years, defects within two presumed.
  PT: { source: { act: 'Decreto-Lei 84/2021', article: 'art. 12' }, period: { months: 36 }, presumption: { months: 24 } },
  // Real Decreto Legislativo 1/2007 art. 120 and 121 (as amended by RDL 7/2021): three years, two presumed.
  ES: { source: { act: 'Real Decreto Legislativo 1/2007', article: 'art. 120' }, period: { months: 36 }, presumption: { months: 24 } },
};

const euJurisdictions = Object.fromEntries(
  Object.entries(EU_AND_EEA).map(([country, name]) => [
    country,
    { name, withdrawal: EU_WITHDRAWAL, conformity: { ...EU_CONFORMITY, ...EU_EXTENSIONS[country] } } satisfies Jurisdiction,
  ]),
);

/** The rules seeded on first start: EU/EEA, GB, RU and BR. */
export const DEFAULT_LEGAL_RULES: LegalRules = {
  jurisdictions: {
    ...euJurisdictions,
    GB: {
      name: 'United Kingdom',
      withdrawal: {
        ...EU_WITHDRAWAL,
        source: { act: 'Consumer Contracts (Information, Cancellation and Additional Charges) Regulations 2013', article: 'reg. 30' },
        refundSource: { act: 'Consumer Contracts Regulations 2013', article: 'reg. 34' },
      },
      conformity: {
        // Consumer Rights Act 2015: repair or replacement first (s. 23), then price reduction or final
        // rejection (s. 24); defects within six months presumed (s. 19(14)); claims within six years.
        source: { act: 'Consumer Rights Act 2015', article: 's. 19-24' },
        period: { months: 72 },
        countedFrom: 'delivery',
        presumption: { months: 6 },
        remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
        consumerChooses: false,
        earlyRejection: { period: { days: 30 }, source: { act: 'Consumer Rights Act 2015', article: 's. 22' } },
        refundDueDays: 14,
        refundSource: { act: 'Consumer Rights Act 2015', article: 's. 20(15)' },
      },
    },
    RU: {
      name: 'Russia',
      withdrawal: {
        source: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 26.1 п. 4' },
        period: { days: 7 },
        periodWithoutReturnInformation: { months: 3 },
        channels: ['online', 'phone', 'off_premises'],
        // Goods of proper quality with individually defined properties (ст. 26.1 п. 4); the list of
        // non-returnable goods (Постановление № 2463) covers hygiene products and perishables.
        exemptCategories: ['perishables', 'custom-made', 'software-downloads', 'gift-cards'],
        sealedHygieneCategories: ['personal-care'],
        sealedConditions: ['new', 'unopened'],
        refundDueDays: 10,
        refundSource: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 26.1 п. 4' },
      },
      conformity: {
        // Without a longer guarantee, claims within two years of delivery (ст. 19 п. 1); the consumer
        // chooses among repair, replacement, price reduction and refund (ст. 18 п. 1).
        source: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 18-19' },
        period: { months: 24 },
        countedFrom: 'delivery',
        remedies: [['repair', 'replacement', 'price_reduction', 'refund']],
        consumerChooses: true,
        refundDueDays: 10,
        refundSource: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 22' },
      },
    },
    BR: {
      name: 'Brazil',
      withdrawal: {
        source: { act: 'Código de Defesa do Consumidor (Lei 8.078/1990)', article: 'art. 49' },
        period: { days: 7 },
        channels: ['online', 'phone', 'off_premises'],
        exemptCategories: [],
        sealedHygieneCategories: [],
        sealedConditions: [],
        // "De imediato, monetariamente atualizados" (art. 49, parágrafo único).
        refundDueDays: 0,
        refundSource: { act: 'Código de Defesa do Consumidor (Lei 8.078/1990)', article: 'art. 49, parágrafo único' },
      },
      conformity: {
        // 90 days for durable goods, 30 for non-durable (art. 26 I-II), a hidden defect counted from
        // when it showed (art. 26 §3); the supplier has 30 days to repair, then the consumer chooses
        // replacement, refund or a price reduction (art. 18 §1).
        source: { act: 'Código de Defesa do Consumidor (Lei 8.078/1990)', article: 'art. 18 and 26' },
        period: { days: 90 },
        periodByCategory: { perishables: { days: 30 }, 'personal-care': { days: 30 } },
        countedFrom: 'defect_noticed',
        remedies: [['repair'], ['replacement', 'refund', 'price_reduction']],
        consumerChooses: false,
        refundDueDays: null,
      },
    },
  },
  defectReasonCodes: ['defective', 'not_as_described', 'damaged_in_transit', 'safety_hazard'],
};

const MAX_PERIOD_MONTHS = 1_200;
const MAX_PERIOD_DAYS = 36_500;
const COUNTRY = /^[A-Z]{2}$/;

function assertPeriod(period: LegalPeriod | undefined, field: string): void {
  const fail = (message: string): never => {
    throw new InvalidCommandError(`${field} ${message}`, `rules.${field}`);
  };
  if (period === undefined || period === null || typeof period !== 'object') return void fail('must be a period ({days} or {months})');
  const { days = 0, months = 0 } = period;
  if (!Number.isSafeInteger(days) || days < 0 || days > MAX_PERIOD_DAYS) fail(`days must be a whole number from 0 to ${MAX_PERIOD_DAYS}`);
  if (!Number.isSafeInteger(months) || months < 0 || months > MAX_PERIOD_MONTHS) fail(`months must be a whole number from 0 to ${MAX_PERIOD_MONTHS}`);
  if (days === 0 && months === 0) fail('must not be empty');
}

function assertSource(source: LegalSource | undefined, field: string): void {
  if (!source || typeof source.act !== 'string' || source.act.trim() === '' || typeof source.article !== 'string' || source.article.trim() === '') {
    throw new InvalidCommandError(`${field} must name an act and an article`, `rules.${field}`);
  }
}

/** Refuses a rule set that could not be applied; names the first bad field, as the policy does. */
export function assertValidLegalRules(rules: LegalRules): void {
  for (const [country, jurisdiction] of Object.entries(rules.jurisdictions)) {
    const at = `jurisdictions.${country}`;
    if (!COUNTRY.test(country)) throw new InvalidCommandError(`${at} must be keyed by an ISO-3166 alpha-2 code`, `rules.${at}`);
    const { withdrawal, conformity } = jurisdiction;
    if (withdrawal) {
      assertSource(withdrawal.source, `${at}.withdrawal.source`);
      assertSource(withdrawal.refundSource, `${at}.withdrawal.refundSource`);
      assertPeriod(withdrawal.period, `${at}.withdrawal.period`);
      if (withdrawal.periodWithoutReturnInformation) assertPeriod(withdrawal.periodWithoutReturnInformation, `${at}.withdrawal.periodWithoutReturnInformation`);
      for (const channel of withdrawal.channels) {
        if (!SALE_CHANNELS.includes(channel)) throw new InvalidCommandError(`${at}.withdrawal.channels has an unknown channel ${String(channel)}`, `rules.${at}.withdrawal.channels`);
      }
      if (!Number.isSafeInteger(withdrawal.refundDueDays) || withdrawal.refundDueDays < 0) {
        throw new InvalidCommandError(`${at}.withdrawal.refundDueDays must be a whole number ≥ 0`, `rules.${at}.withdrawal.refundDueDays`);
      }
    }
    if (conformity) {
      assertSource(conformity.source, `${at}.conformity.source`);
      assertPeriod(conformity.period, `${at}.conformity.period`);
      for (const [category, period] of Object.entries(conformity.periodByCategory ?? {})) assertPeriod(period, `${at}.conformity.periodByCategory.${category}`);
      if (conformity.presumption) assertPeriod(conformity.presumption, `${at}.conformity.presumption`);
      if (conformity.earlyRejection) {
        assertPeriod(conformity.earlyRejection.period, `${at}.conformity.earlyRejection.period`);
        assertSource(conformity.earlyRejection.source, `${at}.conformity.earlyRejection.source`);
      }
      if (conformity.remedies.length === 0 || conformity.remedies.some((tier) => tier.length === 0 || tier.some((r) => !REMEDIES.includes(r)))) {
        throw new InvalidCommandError(`${at}.conformity.remedies must be non-empty tiers of ${REMEDIES.join(', ')}`, `rules.${at}.conformity.remedies`);
      }
      if (conformity.refundDueDays !== null && (!Number.isSafeInteger(conformity.refundDueDays) || conformity.refundDueDays < 0)) {
        throw new InvalidCommandError(`${at}.conformity.refundDueDays must be a whole number ≥ 0 or null`, `rules.${at}.conformity.refundDueDays`);
      }
    }
  }
}
