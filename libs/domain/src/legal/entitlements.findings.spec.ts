import { DELIVERED, lawInForce, legalFacts } from '../testing/legal-fixtures';
import { assessLegalRights, LegalFacts } from './entitlements';
import { DEFAULT_LEGAL_RULES, Jurisdiction } from './legal-rules';

/**
 * The findings as a manager, an auditor and the customer's letter read them: every word of the
 * detail, every input, and the edges of each period to the millisecond.
 */
const lawWith = lawInForce;
const law = lawInForce();
const { IT, RU, GB } = DEFAULT_LEGAL_RULES.jurisdictions as Record<string, Jurisdiction>;
const facts = legalFacts;
const defect = (overrides: Partial<LegalFacts> = {}) => facts({ reasonCode: 'defective', ...overrides });
const at = (iso: string) => new Date(iso);
const after = (iso: string) => new Date(new Date(iso).getTime() + 1);
const finding = (f: LegalFacts, now: Date, right: 'withdrawal' | 'conformity', rules = law) =>
  assessLegalRights(f, rules, now).findings.find((x) => x.right === right);
const entitlement = (f: LegalFacts, now: Date, right: 'withdrawal' | 'conformity', rules = law) =>
  assessLegalRights(f, rules, now).entitlements.find((x) => x.right === right);

const EU_WITHDRAWAL = 'withdrawal right (Directive 2011/83/EU, art. 9)';
const EU_CONFORMITY = 'legal guarantee of conformity (Directive (EU) 2019/771, art. 10)';
const IT_WITHDRAWAL_ENDS = '2026-03-24T23:59:59.999Z';
const IT_CONFORMITY_ENDS = '2028-03-10T23:59:59.999Z';

describe('withdrawal findings', () => {
  it('within the period: the period, the act, the last day, the refund and its deadline, with every input', () => {
    const f = facts({ returnInformationGiven: true });
    expect(finding(f, at('2026-03-20T12:00:00Z'), 'withdrawal')).toEqual({
      right: 'withdrawal',
      result: 'applies',
      detail: `Within the 14-day ${EU_WITHDRAWAL} until 2026-03-24: a full refund, within 14 days (Directive 2011/83/EU, art. 13)`,
      inputs: {
        country: 'IT',
        saleChannel: 'online',
        countedFrom: 'delivery',
        from: DELIVERED,
        until: IT_WITHDRAWAL_ENDS,
        category: 'small-appliances',
        condition: 'used',
        returnInformationGiven: true,
      },
    });
    expect(entitlement(f, at('2026-03-20T12:00:00Z'), 'withdrawal')).toEqual({
      right: 'withdrawal',
      country: 'IT',
      source: IT.withdrawal!.source,
      countedFrom: 'delivery',
      until: IT_WITHDRAWAL_ENDS,
      remedies: [['refund']],
      consumerChooses: false,
      refundDueDays: 14,
      refundSource: IT.withdrawal!.refundSource,
      presumedAtDelivery: null,
    });
  });

  it('says "at once" where the law wants the money at once (BR)', () => {
    expect(finding(facts({ country: 'BR' }), at('2026-03-12T12:00:00Z'), 'withdrawal')?.detail).toBe(
      'Within the 7-day withdrawal right (Código de Defesa do Consumidor (Lei 8.078/1990), art. 49) until 2026-03-17: ' +
        'a full refund, at once (Código de Defesa do Consumidor (Lei 8.078/1990), art. 49, parágrafo único)',
    );
  });

  it('says what it assumed: no delivery date, no sale channel', () => {
    const f = facts({ deliveredAt: null, saleChannel: null });
    const found = finding(f, at('2026-03-12T12:00:00Z'), 'withdrawal');
    expect(found?.detail).toBe(
      `Within the 14-day ${EU_WITHDRAWAL} until 2026-03-19: a full refund, within 14 days (Directive 2011/83/EU, art. 13)` +
        ' (no delivery date given: counted from the purchase) (sale channel not given: taken as a distance sale)',
    );
    expect(found?.inputs).toMatchObject({ saleChannel: 'online', countedFrom: 'purchase', from: '2026-03-05T09:00:00.000Z', returnInformationGiven: null });
  });

  it('RU: three months without written return information, seven days with it, and the input says which', () => {
    const without = finding(facts({ country: 'RU', returnInformationGiven: false }), at('2026-05-01T12:00:00Z'), 'withdrawal');
    expect(without).toMatchObject({ result: 'applies', inputs: { returnInformationGiven: false, until: '2026-06-10T23:59:59.999Z' } });
    expect(without?.detail).toMatch(/^Within the 3-month withdrawal right \(Закон РФ «О защите прав потребителей», ст\. 26\.1 п\. 4\) until 2026-06-10: a full refund, within 10 days/);
    const given = finding(facts({ country: 'RU', returnInformationGiven: true }), at('2026-03-12T12:00:00Z'), 'withdrawal');
    expect(given).toMatchObject({ result: 'applies', inputs: { returnInformationGiven: true, until: '2026-03-17T23:59:59.999Z' } });
    expect(RU.withdrawal!.periodWithoutReturnInformation).toEqual({ months: 3 });
  });

  it('keeps the usual period where the law knows no longer one, whatever the seller told', () => {
    expect(finding(facts({ returnInformationGiven: false }), at('2026-03-12T12:00:00Z'), 'withdrawal')?.inputs.until).toBe(IT_WITHDRAWAL_ENDS);
  });

  it('names months and days together when a period has both', () => {
    const rules = lawWith({ IT: { ...IT, withdrawal: { ...IT.withdrawal!, period: { months: 1, days: 2 } } } });
    expect(finding(facts(), at('2026-03-12T12:00:00Z'), 'withdrawal', rules)?.detail).toBe(
      `Within the 1-month + 2-day ${EU_WITHDRAWAL} until 2026-04-12: a full refund, within 14 days (Directive 2011/83/EU, art. 13)`,
    );
  });

  it('not applicable to a sale in a shop, in those words', () => {
    expect(finding(facts({ saleChannel: 'in_store' }), at('2026-03-12T12:00:00Z'), 'withdrawal')).toMatchObject({
      result: 'not_applicable',
      detail: `No ${EU_WITHDRAWAL}: in_store sales are not covered`,
    });
  });

  it('exempt: the category, or the category unsealed', () => {
    expect(finding(facts({ category: 'perishables' }), at('2026-03-12T12:00:00Z'), 'withdrawal')?.detail).toBe(
      `No ${EU_WITHDRAWAL}: the law exempts perishables goods`,
    );
    expect(finding(facts({ category: 'personal-care', condition: 'used' }), at('2026-03-12T12:00:00Z'), 'withdrawal')?.detail).toBe(
      `No ${EU_WITHDRAWAL}: the law exempts personal-care goods unsealed after delivery`,
    );
  });

  it('applies to the last millisecond of the last day, and has ended one millisecond later', () => {
    expect(finding(facts(), at(IT_WITHDRAWAL_ENDS), 'withdrawal')?.result).toBe('applies');
    expect(finding(facts(), after(IT_WITHDRAWAL_ENDS), 'withdrawal')).toMatchObject({
      result: 'expired',
      detail: `The 14-day ${EU_WITHDRAWAL} ended on 2026-03-24`,
    });
    expect(finding(facts({ deliveredAt: undefined }), at('2026-04-30T12:00:00Z'), 'withdrawal')?.detail).toBe(
      `The 14-day ${EU_WITHDRAWAL} ended on 2026-03-19 (no delivery date given: counted from the purchase)`,
    );
  });

  it('is not considered where the law has only a guarantee', () => {
    const rules = lawWith({ US: { name: 'Somewhere', conformity: IT.conformity } });
    const assessed = assessLegalRights(defect({ country: 'US' }), rules, at('2026-03-12T12:00:00Z'));
    expect(assessed.findings.map((f) => f.right)).toEqual(['conformity']);
  });
});

describe('conformity findings', () => {
  it('within the guarantee: the tiers in order and the presumption, with every input', () => {
    const found = finding(defect(), at('2026-06-01T12:00:00Z'), 'conformity');
    expect(found).toEqual({
      right: 'conformity',
      result: 'applies',
      detail:
        `A defect claim within the 24-month ${EU_CONFORMITY} until 2028-03-10: repair or replacement, then price_reduction or refund` +
        '; the defect is presumed to have existed at delivery',
      inputs: {
        country: 'IT',
        reasonCode: 'defective',
        category: 'small-appliances',
        countedFrom: 'delivery',
        from: DELIVERED,
        until: IT_CONFORMITY_ENDS,
        presumedAtDelivery: true,
      },
    });
    expect(entitlement(defect(), at('2026-06-01T12:00:00Z'), 'conformity')).toEqual({
      right: 'conformity',
      country: 'IT',
      source: IT.conformity!.source,
      countedFrom: 'delivery',
      until: IT_CONFORMITY_ENDS,
      remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
      consumerChooses: false,
      refundDueDays: 14,
      refundSource: IT.conformity!.refundSource,
      presumedAtDelivery: true,
    });
  });

  it('presumes the defect to the last millisecond of the presumption, and asks the customer for proof after', () => {
    const presumptionEnds = '2027-03-10T23:59:59.999Z';
    expect(finding(defect(), at(presumptionEnds), 'conformity')?.inputs.presumedAtDelivery).toBe(true);
    const later = finding(defect(), after(presumptionEnds), 'conformity');
    expect(later?.inputs.presumedAtDelivery).toBe(false);
    expect(later?.detail).toBe(
      `A defect claim within the 24-month ${EU_CONFORMITY} until 2028-03-10: repair or replacement, then price_reduction or refund` +
        '; the customer must show the defect existed at delivery',
    );
  });

  it('says nothing of a presumption where the law has none (RU)', () => {
    const found = finding(defect({ country: 'RU' }), at('2026-06-01T12:00:00Z'), 'conformity');
    expect(found?.inputs.presumedAtDelivery).toBeNull();
    expect(found?.detail).toBe(
      'A defect claim within the 24-month legal guarantee of conformity (Закон РФ «О защите прав потребителей», ст. 18-19) until 2028-03-10: ' +
        'repair or replacement or price_reduction or refund',
    );
  });

  it('applies to the last millisecond of the guarantee, and has ended one millisecond later', () => {
    expect(finding(defect(), at(IT_CONFORMITY_ENDS), 'conformity')?.result).toBe('applies');
    expect(finding(defect(), after(IT_CONFORMITY_ENDS), 'conformity')).toMatchObject({
      result: 'expired',
      detail: `The 24-month ${EU_CONFORMITY} ended on 2028-03-10`,
    });
  });

  describe('BR: counted from when a hidden defect showed', () => {
    const name = 'legal guarantee of conformity (Código de Defesa do Consumidor (Lei 8.078/1990), art. 18 and 26)';
    it('asks for that date when it is missing, and counts from delivery meanwhile', () => {
      const found = finding(defect({ country: 'BR' }), at('2026-04-01T12:00:00Z'), 'conformity');
      expect(found?.detail).toBe(
        `A defect claim within the 90-day ${name} until 2026-06-08: repair, then replacement or refund or price_reduction` +
          ' (counted from delivery: give when a hidden defect showed)',
      );
      expect(found?.inputs).toMatchObject({ countedFrom: 'delivery', presumedAtDelivery: null });
      expect(entitlement(defect({ country: 'BR' }), at('2026-04-01T12:00:00Z'), 'conformity')).toMatchObject({ refundDueDays: null, refundSource: null });
    });

    it('counts from that date when given, and then says no more', () => {
      const found = finding(defect({ country: 'BR', defectNoticedAt: '2026-05-01T08:00:00.000Z' }), at('2026-06-01T12:00:00Z'), 'conformity');
      expect(found?.detail).toBe(`A defect claim within the 90-day ${name} until 2026-07-30: repair, then replacement or refund or price_reduction`);
      expect(found?.inputs).toMatchObject({ countedFrom: 'defect_noticed', from: '2026-05-01T08:00:00.000Z' });
    });
  });

  it('ignores when a defect showed where the law counts from delivery', () => {
    const found = finding(defect({ defectNoticedAt: '2027-01-01T08:00:00.000Z' }), at('2026-06-01T12:00:00Z'), 'conformity');
    expect(found?.inputs).toMatchObject({ countedFrom: 'delivery', from: DELIVERED, until: IT_CONFORMITY_ENDS });
    expect(found?.detail).not.toContain('hidden defect');
  });

  describe('GB: the short-term right to reject', () => {
    const earlyEnds = '2026-04-09T23:59:59.999Z';
    const gbName = 'legal guarantee of conformity (Consumer Rights Act 2015, s. 19-24)';
    it('puts a refund first, once, then every other remedy, until the last millisecond of its 30 days', () => {
      const found = entitlement(defect({ country: 'GB' }), at(earlyEnds), 'conformity');
      expect(found).toMatchObject({
        remedies: [['refund', 'repair', 'replacement', 'price_reduction']],
        source: GB.conformity!.earlyRejection!.source,
        consumerChooses: true,
      });
      expect(finding(defect({ country: 'GB' }), at(earlyEnds), 'conformity')?.detail).toBe(
        `A defect claim within the 72-month ${gbName} until 2032-03-10: refund or repair or replacement or price_reduction` +
          ' (short-term right to reject, Consumer Rights Act 2015, s. 22); the defect is presumed to have existed at delivery',
      );
    });

    it('after it, the tiers of the guarantee, and the guarantee as the source', () => {
      const found = entitlement(defect({ country: 'GB' }), after(earlyEnds), 'conformity');
      expect(found).toMatchObject({
        remedies: [['repair', 'replacement'], ['price_reduction', 'refund']],
        source: GB.conformity!.source,
        consumerChooses: false,
      });
    });
  });
});
