import { DELIVERED, lawInForce, legalFacts } from '../testing/legal-fixtures';
import { assessLegalRights, LegalFacts, periodEnd } from './entitlements';

const law = lawInForce();
const facts = legalFacts;

/** Noon UTC on the given day: the middle of a legal day, far from either edge. */
const on = (date: string): Date => new Date(`${date}T12:00:00.000Z`);

const rightOf = (assessed: ReturnType<typeof assessLegalRights>, right: 'withdrawal' | 'conformity') => ({
  finding: assessed.findings.find((f) => f.right === right),
  entitlement: assessed.entitlements.find((e) => e.right === right),
});

describe('periodEnd', () => {
  it('runs from the day after the event to the end of the last day', () => {
    expect(periodEnd(new Date(DELIVERED), { days: 14 }).toISOString()).toBe('2026-03-24T23:59:59.999Z');
  });

  it('counts months on the calendar and clamps to the end of a shorter month', () => {
    expect(periodEnd(new Date('2026-01-31T10:00:00Z'), { months: 1 }).toISOString()).toBe('2026-02-28T23:59:59.999Z');
    expect(periodEnd(new Date('2026-03-10T10:00:00Z'), { months: 24 }).toISOString()).toBe('2028-03-10T23:59:59.999Z');
  });
});

describe('withdrawal', () => {
  // country, period end after delivery on 10 March, refund due days, a day inside, the first day after
  const limits: [string, string, number][] = [
    ['IT', '2026-03-24', 14],
    ['DE', '2026-03-24', 14],
    ['NO', '2026-03-24', 14],
    ['GB', '2026-03-24', 14],
    ['RU', '2026-03-17', 10],
    ['BR', '2026-03-17', 0],
  ];

  it.each(limits)('%s: applies on the last day (%s) with the refund deadline, and has ended the day after', (country, lastDay, dueDays) => {
    const inside = rightOf(assessLegalRights(facts({ country }), law, on(lastDay)), 'withdrawal');
    expect(inside.finding?.result).toBe('applies');
    expect(inside.entitlement).toMatchObject({ right: 'withdrawal', remedies: [['refund']], refundDueDays: dueDays, countedFrom: 'delivery' });
    expect(inside.entitlement?.until.slice(0, 10)).toBe(lastDay);

    const dayAfter = new Date(on(lastDay).getTime() + 86_400_000);
    const after = rightOf(assessLegalRights(facts({ country }), law, dayAfter), 'withdrawal');
    expect(after.finding?.result).toBe('expired');
    expect(after.entitlement).toBeUndefined();
  });

  it('counts from delivery, not purchase: a late delivery keeps the right open', () => {
    const assessed = assessLegalRights(facts({ purchasedAt: '2026-01-01T10:00:00Z' }), law, on('2026-03-20'));
    expect(rightOf(assessed, 'withdrawal').finding?.result).toBe('applies');
  });

  it('counts from the purchase when no delivery date is given, and says so', () => {
    const assessed = assessLegalRights(facts({ deliveredAt: null }), law, on('2026-03-19'));
    const { finding, entitlement } = rightOf(assessed, 'withdrawal');
    expect(finding?.result).toBe('applies');
    expect(entitlement?.countedFrom).toBe('purchase');
    expect(entitlement?.until.slice(0, 10)).toBe('2026-03-19');
    expect(finding?.detail).toContain('counted from the purchase');
    expect(rightOf(assessLegalRights(facts({ deliveredAt: null }), law, on('2026-03-20')), 'withdrawal').finding?.result).toBe('expired');
  });

  it.each(['online', 'phone', 'off_premises'] as const)('covers %s sales', (saleChannel) => {
    expect(rightOf(assessLegalRights(facts({ saleChannel }), law, on('2026-03-12')), 'withdrawal').finding?.result).toBe('applies');
  });

  it.each(['IT', 'GB', 'RU', 'BR'])('%s: does not cover a sale in a shop', (country) => {
    const { finding, entitlement } = rightOf(assessLegalRights(facts({ country, saleChannel: 'in_store' }), law, on('2026-03-12')), 'withdrawal');
    expect(finding?.result).toBe('not_applicable');
    expect(entitlement).toBeUndefined();
  });

  it('takes an unknown sale channel as a distance sale, and says so', () => {
    const { finding } = rightOf(assessLegalRights(facts({ saleChannel: undefined }), law, on('2026-03-12')), 'withdrawal');
    expect(finding?.result).toBe('applies');
    expect(finding?.detail).toContain('taken as a distance sale');
  });

  it.each(['perishables', 'custom-made', 'software-downloads'])('EU: exempts %s goods (Directive 2011/83/EU art. 16)', (category) => {
    expect(rightOf(assessLegalRights(facts({ category }), law, on('2026-03-12')), 'withdrawal').finding?.result).toBe('exempt');
  });

  it('EU: exempts hygiene goods once unsealed, not while sealed', () => {
    const unsealed = assessLegalRights(facts({ category: 'personal-care', condition: 'opened' }), law, on('2026-03-12'));
    const sealed = assessLegalRights(facts({ category: 'personal-care', condition: 'unopened' }), law, on('2026-03-12'));
    expect(rightOf(unsealed, 'withdrawal').finding?.result).toBe('exempt');
    expect(rightOf(sealed, 'withdrawal').finding?.result).toBe('applies');
  });

  it('RU: three months when the seller gave no written return information (ст. 26.1 п. 4)', () => {
    const without = facts({ country: 'RU', returnInformationGiven: false });
    expect(rightOf(assessLegalRights(without, law, on('2026-06-10')), 'withdrawal').finding?.result).toBe('applies');
    expect(rightOf(assessLegalRights(without, law, on('2026-06-11')), 'withdrawal').finding?.result).toBe('expired');
    expect(rightOf(assessLegalRights(facts({ country: 'RU', returnInformationGiven: true }), law, on('2026-03-18')), 'withdrawal').finding?.result).toBe('expired');
  });

  it('names the act and article, and the refund deadline', () => {
    const { finding, entitlement } = rightOf(assessLegalRights(facts(), law, on('2026-03-12')), 'withdrawal');
    expect(entitlement?.source).toEqual({ act: 'Directive 2011/83/EU', article: 'art. 9' });
    expect(entitlement?.refundSource).toEqual({ act: 'Directive 2011/83/EU', article: 'art. 13' });
    expect(finding?.detail).toContain('within 14 days');
  });

  it('has no right in a country the rules do not cover', () => {
    expect(assessLegalRights(facts({ country: 'US' }), law, on('2026-03-12'))).toEqual({ legalRulesVersion: 3, entitlements: [], findings: [] });
  });

  it('does not read inherited keys as countries', () => {
    expect(assessLegalRights(facts({ country: 'constructor' }), law, on('2026-03-12')).findings).toEqual([]);
  });
});

describe('conformity', () => {
  const defect = (overrides: Partial<LegalFacts> = {}) => facts({ reasonCode: 'defective', ...overrides });

  it('the kettle: IT, defective, 89 days after purchase, is a conformity claim (Directive (EU) 2019/771 art. 10)', () => {
    const assessed = assessLegalRights(defect({ purchasedAt: '2026-03-05T09:00:00Z', deliveredAt: null }), law, on('2026-06-02'));
    expect(rightOf(assessed, 'withdrawal').finding?.result).toBe('expired');
    const { finding, entitlement } = rightOf(assessed, 'conformity');
    expect(finding?.result).toBe('applies');
    expect(entitlement).toMatchObject({
      source: { act: 'Directive (EU) 2019/771', article: 'art. 10' },
      remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
      presumedAtDelivery: true,
      refundDueDays: 14,
    });
  });

  it('is not considered without a defect claim', () => {
    expect(rightOf(assessLegalRights(facts({ reasonCode: 'changed_mind' }), law, on('2026-06-02')), 'conformity').finding).toBeUndefined();
  });

  // country, last day of liability after delivery on 10 March 2026, last day of the presumption (null: none)
  const limits: [string, string, string | null][] = [
    ['IT', '2028-03-10', '2027-03-10'],
    ['FR', '2028-03-10', '2027-03-10'],
    ['PT', '2029-03-10', '2028-03-10'],
    ['ES', '2029-03-10', '2028-03-10'],
    ['GB', '2032-03-10', '2026-09-10'],
    ['RU', '2028-03-10', null],
    ['BR', '2026-06-08', null],
  ];

  it.each(limits)('%s: liable through %s, not the day after', (country, lastDay) => {
    expect(rightOf(assessLegalRights(defect({ country }), law, on(lastDay)), 'conformity').finding?.result).toBe('applies');
    const dayAfter = new Date(on(lastDay).getTime() + 86_400_000);
    const after = rightOf(assessLegalRights(defect({ country }), law, dayAfter), 'conformity');
    expect(after.finding?.result).toBe('expired');
    expect(after.entitlement).toBeUndefined();
  });

  it.each(limits.filter(([, , presumed]) => presumed !== null))(
    '%s: the defect is presumed to have existed at delivery through %s, and not the day after',
    (country, _lastDay, presumedUntil) => {
      expect(rightOf(assessLegalRights(defect({ country }), law, on(presumedUntil!)), 'conformity').entitlement?.presumedAtDelivery).toBe(true);
      const dayAfter = new Date(on(presumedUntil!).getTime() + 86_400_000);
      const after = rightOf(assessLegalRights(defect({ country }), law, dayAfter), 'conformity');
      expect(after.entitlement?.presumedAtDelivery).toBe(false);
      expect(after.finding?.detail).toContain('the customer must show');
    },
  );

  it('applies to a sale in a shop too', () => {
    expect(rightOf(assessLegalRights(defect({ saleChannel: 'in_store' }), law, on('2026-12-01')), 'conformity').finding?.result).toBe('applies');
  });

  it('counts from delivery: two years after a late delivery, not after purchase', () => {
    const late = defect({ purchasedAt: '2025-12-01T10:00:00Z', deliveredAt: '2026-03-10T10:00:00Z' });
    expect(rightOf(assessLegalRights(late, law, on('2028-03-05')), 'conformity').finding?.result).toBe('applies');
    const unknown = defect({ purchasedAt: '2025-12-01T10:00:00Z', deliveredAt: null });
    const { finding } = rightOf(assessLegalRights(unknown, law, on('2027-12-02')), 'conformity');
    expect(finding?.result).toBe('expired');
    expect(finding?.detail).toContain('counted from the purchase');
  });

  it('BR: non-durable goods 30 days, durable 90 (CDC art. 26)', () => {
    const nonDurable = defect({ country: 'BR', category: 'perishables' });
    expect(rightOf(assessLegalRights(nonDurable, law, on('2026-04-09')), 'conformity').finding?.result).toBe('applies');
    expect(rightOf(assessLegalRights(nonDurable, law, on('2026-04-10')), 'conformity').finding?.result).toBe('expired');
  });

  it('BR: a hidden defect is counted from when it showed (CDC art. 26 §3)', () => {
    const hidden = defect({ country: 'BR', defectNoticedAt: '2027-01-15T10:00:00Z' });
    const { entitlement } = rightOf(assessLegalRights(hidden, law, on('2027-04-15')), 'conformity');
    expect(entitlement).toMatchObject({ countedFrom: 'defect_noticed', remedies: [['repair'], ['replacement', 'refund', 'price_reduction']] });
    expect(rightOf(assessLegalRights(hidden, law, on('2027-04-16')), 'conformity').finding?.result).toBe('expired');
    const { finding } = rightOf(assessLegalRights(defect({ country: 'BR' }), law, on('2026-04-01')), 'conformity');
    expect(finding?.detail).toContain('give when a hidden defect showed');
  });

  it('RU: the consumer chooses among all four remedies; refund within 10 days (ст. 18, 22)', () => {
    const { entitlement } = rightOf(assessLegalRights(defect({ country: 'RU' }), law, on('2026-09-01')), 'conformity');
    expect(entitlement).toMatchObject({
      consumerChooses: true,
      remedies: [['repair', 'replacement', 'price_reduction', 'refund']],
      refundDueDays: 10,
      refundSource: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 22' },
    });
  });

  it('GB: a refund at once within the 30-day short-term right to reject, the tiers after it (CRA 2015 s. 22-24)', () => {
    const early = rightOf(assessLegalRights(defect({ country: 'GB' }), law, on('2026-04-09')), 'conformity').entitlement;
    expect(early).toMatchObject({ consumerChooses: true, source: { act: 'Consumer Rights Act 2015', article: 's. 22' } });
    expect(early?.remedies[0][0]).toBe('refund');
    const later = rightOf(assessLegalRights(defect({ country: 'GB' }), law, on('2026-04-10')), 'conformity').entitlement;
    expect(later).toMatchObject({ consumerChooses: false, remedies: [['repair', 'replacement'], ['price_reduction', 'refund']] });
  });

  it('records the version of the law it applied', () => {
    expect(assessLegalRights(defect(), law, on('2026-06-02')).legalRulesVersion).toBe(3);
  });
});
