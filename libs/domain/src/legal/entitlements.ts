import {
  ConformityRule,
  LegalPeriod,
  LegalRight,
  LegalRulesInForce,
  LegalSource,
  Remedy,
  SaleChannel,
  WithdrawalRule,
} from './legal-rules';

/** What the law looks at in a request; everything else about the request is the policy's business. */
export interface LegalFacts {
  /** ISO-3166 alpha-2 country of the sale. */
  readonly country: string;
  readonly purchasedAt: string;
  /** When absent, the purchase time stands in for it and the finding says so. */
  readonly deliveredAt?: string | null;
  /** When absent, a distance sale is assumed (the reading that cannot deny a right) and the finding says so. */
  readonly saleChannel?: SaleChannel | null;
  /** RU: false extends withdrawal to three months. When absent, it is taken as given and the finding says so. */
  readonly returnInformationGiven?: boolean | null;
  readonly category: string;
  readonly condition: string;
  readonly reasonCode: string;
  /** BR: when a hidden defect showed; when absent the period runs from delivery (an apparent defect). */
  readonly defectNoticedAt?: string | null;
}

/** A right the consumer holds now, with what it grants and until when. */
export interface LegalEntitlement {
  readonly right: LegalRight;
  readonly country: string;
  readonly source: LegalSource;
  readonly countedFrom: 'delivery' | 'purchase' | 'defect_noticed';
  /** End of the last day of the period (UTC). */
  readonly until: string;
  /** Tiers of remedies: a later tier only when the earlier ones fail. Withdrawal: a full refund. */
  readonly remedies: readonly (readonly Remedy[])[];
  readonly consumerChooses: boolean;
  /** Days the money is due in once a refund is owed; 0 at once, null when the law sets none. */
  readonly refundDueDays: number | null;
  readonly refundSource: LegalSource | null;
  /** Conformity: whether a defect is presumed to have existed at delivery (the seller must prove otherwise). */
  readonly presumedAtDelivery: boolean | null;
}

export type LegalFindingResult = 'applies' | 'expired' | 'not_applicable' | 'exempt';

export interface LegalFinding {
  readonly right: LegalRight;
  readonly result: LegalFindingResult;
  readonly detail: string;
  readonly inputs: Readonly<Record<string, string | number | boolean | null>>;
}

export interface LegalAssessment {
  readonly legalRulesVersion: number;
  readonly entitlements: readonly LegalEntitlement[];
  readonly findings: readonly LegalFinding[];
}

const DAY_MS = 86_400_000;

const startOfUtcDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/**
 * The end of a legal period that starts with an event: the period runs from the day after it and
 * ends at the end of its last day (Regulation 1182/71 art. 3, the rule EU consumer law counts by).
 * Months are calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
 */
export function periodEnd(event: Date, period: LegalPeriod): Date {
  const day = startOfUtcDay(event);
  const months = period.months ?? 0;
  const targetMonth = day.getUTCMonth() + months;
  const lastDayOfTarget = new Date(Date.UTC(day.getUTCFullYear(), targetMonth + 1, 0)).getUTCDate();
  const shifted = new Date(Date.UTC(day.getUTCFullYear(), targetMonth, Math.min(day.getUTCDate(), lastDayOfTarget)));
  return new Date(shifted.getTime() + (period.days ?? 0) * DAY_MS + DAY_MS - 1);
}

const describePeriod = (period: LegalPeriod): string =>
  [period.months ? `${period.months}-month` : '', period.days ? `${period.days}-day` : ''].filter(Boolean).join(' + ');

const cite = (source: LegalSource): string => `${source.act}, ${source.article}`;

const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * The statutory rights a request carries at `now`. Pure: the law in force is an input, and every
 * right considered is returned as a finding with the inputs it used, whether or not it applies.
 */
export function assessLegalRights(facts: LegalFacts, law: LegalRulesInForce, now: Date): LegalAssessment {
  const jurisdiction = own(law.rules.jurisdictions, facts.country);
  const findings: LegalFinding[] = [];
  const entitlements: LegalEntitlement[] = [];
  if (jurisdiction === undefined) return { legalRulesVersion: law.version, entitlements, findings };

  const delivered = facts.deliveredAt ? new Date(facts.deliveredAt) : new Date(facts.purchasedAt);
  const countedFrom = facts.deliveredAt ? 'delivery' : 'purchase';
  const deliveryNote = facts.deliveredAt ? '' : ' (no delivery date given: counted from the purchase)';

  if (jurisdiction.withdrawal) {
    const outcome = assessWithdrawal(facts, jurisdiction.withdrawal, delivered, countedFrom, deliveryNote, now);
    findings.push(outcome.finding);
    if (outcome.entitlement) entitlements.push(outcome.entitlement);
  }
  if (jurisdiction.conformity && law.rules.defectReasonCodes.includes(facts.reasonCode)) {
    const outcome = assessConformity(facts, jurisdiction.conformity, delivered, countedFrom, deliveryNote, now);
    findings.push(outcome.finding);
    if (outcome.entitlement) entitlements.push(outcome.entitlement);
  }
  return { legalRulesVersion: law.version, entitlements, findings };
}

interface Assessed {
  readonly finding: LegalFinding;
  readonly entitlement?: LegalEntitlement;
}

function assessWithdrawal(
  facts: LegalFacts,
  rule: WithdrawalRule,
  delivered: Date,
  countedFrom: 'delivery' | 'purchase',
  deliveryNote: string,
  now: Date,
): Assessed {
  const channel = facts.saleChannel ?? 'online';
  const channelNote = facts.saleChannel ? '' : ' (sale channel not given: taken as a distance sale)';
  const withoutInformation = rule.periodWithoutReturnInformation !== undefined && facts.returnInformationGiven === false;
  const period = withoutInformation ? rule.periodWithoutReturnInformation! : rule.period;
  const until = periodEnd(delivered, period);
  const inputs = {
    country: facts.country,
    saleChannel: channel,
    countedFrom,
    from: delivered.toISOString(),
    until: until.toISOString(),
    category: facts.category,
    condition: facts.condition,
    returnInformationGiven: facts.returnInformationGiven ?? null,
  };
  const name = `withdrawal right (${cite(rule.source)})`;

  if (!rule.channels.includes(channel)) {
    return { finding: { right: 'withdrawal', result: 'not_applicable', detail: `No ${name}: ${channel} sales are not covered`, inputs } };
  }
  const hygieneUnsealed = rule.sealedHygieneCategories.includes(facts.category) && !rule.sealedConditions.includes(facts.condition);
  if (rule.exemptCategories.includes(facts.category) || hygieneUnsealed) {
    const why = hygieneUnsealed ? `${facts.category} goods unsealed after delivery` : `${facts.category} goods`;
    return { finding: { right: 'withdrawal', result: 'exempt', detail: `No ${name}: the law exempts ${why}`, inputs } };
  }
  if (now.getTime() > until.getTime()) {
    return {
      finding: {
        right: 'withdrawal',
        result: 'expired',
        detail: `The ${describePeriod(period)} ${name} ended on ${until.toISOString().slice(0, 10)}${deliveryNote}`,
        inputs,
      },
    };
  }
  return {
    finding: {
      right: 'withdrawal',
      result: 'applies',
      detail:
        `Within the ${describePeriod(period)} ${name} until ${until.toISOString().slice(0, 10)}: a full refund, ` +
        `${rule.refundDueDays === 0 ? 'at once' : `within ${rule.refundDueDays} days`} (${cite(rule.refundSource)})${deliveryNote}${channelNote}`,
      inputs,
    },
    entitlement: {
      right: 'withdrawal',
      country: facts.country,
      source: rule.source,
      countedFrom,
      until: until.toISOString(),
      remedies: [['refund']],
      consumerChooses: false,
      refundDueDays: rule.refundDueDays,
      refundSource: rule.refundSource,
      presumedAtDelivery: null,
    },
  };
}

function assessConformity(
  facts: LegalFacts,
  rule: ConformityRule,
  delivered: Date,
  deliveryCountedFrom: 'delivery' | 'purchase',
  deliveryNote: string,
  now: Date,
): Assessed {
  const period = own(rule.periodByCategory, facts.category) ?? rule.period;
  const fromDefect = rule.countedFrom === 'defect_noticed' && !!facts.defectNoticedAt;
  const start = fromDefect ? new Date(facts.defectNoticedAt!) : delivered;
  const countedFrom = fromDefect ? 'defect_noticed' : deliveryCountedFrom;
  const until = periodEnd(start, period);
  const presumedAtDelivery = rule.presumption ? now.getTime() <= periodEnd(delivered, rule.presumption).getTime() : null;
  const early = rule.earlyRejection && now.getTime() <= periodEnd(delivered, rule.earlyRejection.period).getTime() ? rule.earlyRejection : undefined;
  const inputs = {
    country: facts.country,
    reasonCode: facts.reasonCode,
    category: facts.category,
    countedFrom,
    from: start.toISOString(),
    until: until.toISOString(),
    presumedAtDelivery,
  };
  const name = `legal guarantee of conformity (${cite(rule.source)})`;
  const note = rule.countedFrom === 'defect_noticed' && !fromDefect ? `${deliveryNote} (counted from delivery: give when a hidden defect showed)` : deliveryNote;

  if (now.getTime() > until.getTime()) {
    return {
      finding: { right: 'conformity', result: 'expired', detail: `The ${describePeriod(period)} ${name} ended on ${until.toISOString().slice(0, 10)}${note}`, inputs },
    };
  }
  const remedies: readonly (readonly Remedy[])[] = early
    ? [['refund', ...rule.remedies.flat().filter((r) => r !== 'refund')]]
    : rule.remedies;
  const order = remedies.map((tier) => tier.join(' or ')).join(', then ');
  const presumption =
    presumedAtDelivery === null ? '' : presumedAtDelivery ? '; the defect is presumed to have existed at delivery' : '; the customer must show the defect existed at delivery';
  return {
    finding: {
      right: 'conformity',
      result: 'applies',
      detail:
        `A defect claim within the ${describePeriod(period)} ${name} until ${until.toISOString().slice(0, 10)}: ${order}` +
        `${early ? ` (short-term right to reject, ${cite(early.source)})` : ''}${presumption}${note}`,
      inputs,
    },
    entitlement: {
      right: 'conformity',
      country: facts.country,
      source: early ? early.source : rule.source,
      countedFrom,
      until: until.toISOString(),
      remedies,
      consumerChooses: rule.consumerChooses || early !== undefined,
      refundDueDays: rule.refundDueDays,
      refundSource: rule.refundSource ?? null,
      presumedAtDelivery,
    },
  };
}
