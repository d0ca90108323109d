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
const CODE = /^[a-z0-9][a-z0-9_-]{0,59}$/;

type Fail = (field: string, message: string) => never;
const fail: Fail = (field, message) => {
  throw new InvalidCommandError(`${field} ${message}`, `rules.${field}`);
};

// The rules arrive as JSON from an admin: every shape is checked, so a wrong one is a 400 naming the field, never a crash.
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function assertPeriod(period: unknown, field: string): void {
  if (!isRecord(period)) return void fail(field, 'must be a period ({days} and/or {months})');
  const { days = 0, months = 0 } = period;
  if (!Number.isSafeInteger(days) || (days as number) < 0 || (days as number) > MAX_PERIOD_DAYS) fail(field, `days must be a whole number from 0 to ${MAX_PERIOD_DAYS}`);
  if (!Number.isSafeInteger(months) || (months as number) < 0 || (months as number) > MAX_PERIOD_MONTHS) fail(field, `months must be a whole number from 0 to ${MAX_PERIOD_MONTHS}`);
  if (days === 0 && months === 0) fail(field, 'must not be empty');
}

function assertSource(source: unknown, field: string): void {
  const named = (value: unknown) => typeof value === 'string' && value.trim() !== '' && value.length <= 300;
  if (!isRecord(source) || !named(source.act) || !named(source.article)) fail(field, 'must name an act and an article');
}

function assertCodes(values: unknown, field: string): void {
  if (!Array.isArray(values) || values.length > 500 || !values.every((v) => typeof v === 'string' && CODE.test(v))) {
    fail(field, 'must be a list of lower-case codes');
  }
}

function assertDueDays(value: unknown, field: string, nullable: boolean): void {
  if (nullable && value === null) return;
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_PERIOD_DAYS) {
    fail(field, `must be a whole number of days from 0 to ${MAX_PERIOD_DAYS}${nullable ? ' or null' : ''}`);
  }
}

function assertWithdrawal(rule: unknown, at: string): void {
  if (!isRecord(rule)) return void fail(at, 'must be an object');
  assertSource(rule.source, `${at}.source`);
  assertSource(rule.refundSource, `${at}.refundSource`);
  assertPeriod(rule.period, `${at}.period`);
  if (rule.periodWithoutReturnInformation !== undefined) assertPeriod(rule.periodWithoutReturnInformation, `${at}.periodWithoutReturnInformation`);
  if (!Array.isArray(rule.channels) || !rule.channels.every((c) => (SALE_CHANNELS as readonly unknown[]).includes(c))) {
    fail(`${at}.channels`, `must list channels among ${SALE_CHANNELS.join(', ')}`);
  }
  assertCodes(rule.exemptCategories, `${at}.exemptCategories`);
  assertCodes(rule.sealedHygieneCategories, `${at}.sealedHygieneCategories`);
  assertCodes(rule.sealedConditions, `${at}.sealedConditions`);
  assertDueDays(rule.refundDueDays, `${at}.refundDueDays`, false);
}

function assertConformity(rule: unknown, at: string): void {
  if (!isRecord(rule)) return void fail(at, 'must be an object');
  assertSource(rule.source, `${at}.source`);
  assertPeriod(rule.period, `${at}.period`);
  if (rule.periodByCategory !== undefined) {
    if (!isRecord(rule.periodByCategory)) fail(`${at}.periodByCategory`, 'must map categories to periods');
    for (const [category, period] of Object.entries(rule.periodByCategory as Record<string, unknown>)) {
      if (!CODE.test(category)) fail(`${at}.periodByCategory`, 'must be keyed by lower-case category codes');
      assertPeriod(period, `${at}.periodByCategory.${category}`);
    }
  }
  if (rule.countedFrom !== 'delivery' && rule.countedFrom !== 'defect_noticed') fail(`${at}.countedFrom`, 'must be delivery or defect_noticed');
  if (rule.presumption !== undefined) assertPeriod(rule.presumption, `${at}.presumption`);
  if (rule.earlyRejection !== undefined) {
    if (!isRecord(rule.earlyRejection)) fail(`${at}.earlyRejection`, 'must have a period and a source');
    const early = rule.earlyRejection as Record<string, unknown>;
    assertPeriod(early.period, `${at}.earlyRejection.period`);
    assertSource(early.source, `${at}.earlyRejection.source`);
  }
  const tiers = rule.remedies;
  const validTier = (tier: unknown) =>
    Array.isArray(tier) && tier.length > 0 && tier.every((r) => (REMEDIES as readonly unknown[]).includes(r));
  if (!Array.isArray(tiers) || tiers.length === 0 || !tiers.every(validTier)) {
    fail(`${at}.remedies`, `must be non-empty tiers of ${REMEDIES.join(', ')}`);
  }
  if (typeof rule.consumerChooses !== 'boolean') fail(`${at}.consumerChooses`, 'must be true or false');
  assertDueDays(rule.refundDueDays, `${at}.refundDueDays`, true);
  if (rule.refundSource !== undefined) assertSource(rule.refundSource, `${at}.refundSource`);
}

/** Refuses a rule set that could not be applied; names the first bad field, as the policy does. */
export function assertValidLegalRules(rules: LegalRules): void {
  const raw: unknown = rules;
  if (!isRecord(raw) || !isRecord(raw.jurisdictions)) return void fail('jurisdictions', 'must map countries to their rules');
  assertCodes(raw.defectReasonCodes, 'defectReasonCodes');
  for (const [country, jurisdiction] of Object.entries(raw.jurisdictions)) {
    const at = `jurisdictions.${country}`;
    if (!COUNTRY.test(country)) fail(at, 'must be keyed by an ISO-3166 alpha-2 code');
    if (!isRecord(jurisdiction)) return void fail(at, 'must be an object');
    if (typeof jurisdiction.name !== 'string' || jurisdiction.name.trim() === '') fail(`${at}.name`, 'must name the jurisdiction');
    if (jurisdiction.withdrawal !== undefined) assertWithdrawal(jurisdiction.withdrawal, `${at}.withdrawal`);
    if (jurisdiction.conformity !== undefined) assertConformity(jurisdiction.conformity, `${at}.conformity`);
  }
}
