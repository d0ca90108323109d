import type { Outcome } from '../case/request';
import type { LegalEntitlement, LegalFacts } from '../legal/entitlements';
import type { DecisionUnderLaw } from '../legal/legal-floor';
import { DEFAULT_LEGAL_RULES, Jurisdiction, LegalRulesInForce } from '../legal/legal-rules';

/** The seeded law in force as version 3; `jurisdictions` replaces the seeded ones when given. */
export const lawInForce = (jurisdictions: Record<string, Jurisdiction> = DEFAULT_LEGAL_RULES.jurisdictions): LegalRulesInForce => ({
  version: 3,
  rules: { ...DEFAULT_LEGAL_RULES, jurisdictions },
  revisedAt: '2026-01-01T00:00:00.000Z',
  revisedBy: 'system',
  changeNote: 'defaults',
});

/** When the kettle of the legal specs was delivered. */
export const DELIVERED = '2026-03-10T15:30:00.000Z';

/** An online sale in Italy, delivered on 10 March, returned for a change of mind. */
export const legalFacts = (overrides: Partial<LegalFacts> = {}): LegalFacts => ({
  country: 'IT',
  purchasedAt: '2026-03-05T09:00:00.000Z',
  deliveredAt: DELIVERED,
  saleChannel: 'online',
  category: 'small-appliances',
  condition: 'used',
  reasonCode: 'changed_mind',
  ...overrides,
});

/** The Italian withdrawal right of that sale, as the evaluation finds it. */
export const ITALIAN_WITHDRAWAL: LegalEntitlement = {
  right: 'withdrawal',
  country: 'IT',
  source: { act: 'Directive 2011/83/EU', article: 'art. 9' },
  countedFrom: 'delivery',
  until: '2026-03-24T23:59:59.999Z',
  remedies: [['refund']],
  consumerChooses: false,
  refundDueDays: 14,
  refundSource: { act: 'Directive 2011/83/EU', article: 'art. 13' },
  presumedAtDelivery: null,
};

/** Its legal guarantee of conformity. */
export const ITALIAN_CONFORMITY: LegalEntitlement = {
  right: 'conformity',
  country: 'IT',
  source: { act: 'Directive (EU) 2019/771', article: 'art. 10' },
  countedFrom: 'delivery',
  until: '2028-03-10T23:59:59.999Z',
  remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
  consumerChooses: false,
  refundDueDays: 14,
  refundSource: { act: 'Directive (EU) 2019/771', article: 'art. 16' },
  presumedAtDelivery: true,
};

/** A manager's decision on the kettle (paid 89.99 EUR, a refund asked for), checked against the law. */
export const decisionUnderLaw = (outcome: Outcome, overrides: Partial<DecisionUnderLaw> = {}): DecisionUnderLaw => ({
  outcome,
  amount: null,
  paid: { minor: 8_999, currency: 'EUR' },
  requestedResolution: 'refund',
  contests: [],
  deciderAuthority: 'manager',
  ...overrides,
});
