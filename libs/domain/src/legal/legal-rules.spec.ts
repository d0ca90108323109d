import { InvalidCommandError } from '../shared/errors';
import { assertValidLegalRules, DEFAULT_LEGAL_RULES, LegalRules } from './legal-rules';

const IT = DEFAULT_LEGAL_RULES.jurisdictions.IT!;
const GB = DEFAULT_LEGAL_RULES.jurisdictions.GB!;
const BR = DEFAULT_LEGAL_RULES.jurisdictions.BR!;

type Loose = Record<string, unknown>;
const rulesWith = (jurisdictions: Loose, rest: Loose = {}): LegalRules => ({ ...DEFAULT_LEGAL_RULES, ...rest, jurisdictions }) as unknown as LegalRules;
const italy = (patch: Loose) => rulesWith({ IT: { ...IT, ...patch } });
const withdrawal = (patch: Loose) => italy({ withdrawal: { ...IT.withdrawal!, ...patch } });
const conformity = (patch: Loose) => italy({ conformity: { ...IT.conformity!, ...patch } });

/** What assertValidLegalRules says of a rule set: the field and the whole message, or 'valid'. */
function verdict(rules: LegalRules): { field: string | undefined; message: string } | 'valid' {
  try {
    assertValidLegalRules(rules);
    return 'valid';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCommandError);
    const { field, message } = error as InvalidCommandError;
    return { field, message };
  }
}

const refused = (field: string, message: string) => ({ field: `rules.${field}`, message: `${field} ${message}` });
const PERIOD = 'must be a period ({days} and/or {months})';
const SOURCE = 'must name an act and an article';
const CODES = 'must be a list of lower-case codes';
const DAYS = 'days must be a whole number from 0 to 36500';
const MONTHS = 'months must be a whole number from 0 to 1200';

describe('assertValidLegalRules', () => {
  it('accepts the rules seeded on first start, every jurisdiction of them', () => {
    expect(verdict(DEFAULT_LEGAL_RULES)).toBe('valid');
    expect(Object.keys(DEFAULT_LEGAL_RULES.jurisdictions)).toHaveLength(33);
  });

  it('accepts a jurisdiction with neither right, and rules with no jurisdictions', () => {
    expect(verdict(rulesWith({ US: { name: 'United States' } }))).toBe('valid');
    expect(verdict(rulesWith({}))).toBe('valid');
  });

  describe('the document', () => {
    it.each([
      ['not an object', null],
      ['an array', []],
      ['without jurisdictions', { defectReasonCodes: [] }],
      ['with jurisdictions as a list', { jurisdictions: [IT], defectReasonCodes: [] }],
    ])('refuses one %s', (_name, rules) => {
      expect(verdict(rules as unknown as LegalRules)).toEqual(refused('jurisdictions', 'must map countries to their rules'));
    });

    it.each([
      ['missing', undefined],
      ['not a list', 'defective'],
      ['with an upper-case code', ['Defective']],
      ['with a code starting with a dash', ['-defective']],
      ['with a code of 61 characters', ['a'.repeat(61)]],
      ['with a number', [7]],
      ['of 501 codes', Array.from({ length: 501 }, (_, i) => `code-${i}`)],
    ])('refuses defect reason codes %s', (_name, codes) => {
      expect(verdict(rulesWith({}, { defectReasonCodes: codes }))).toEqual(refused('defectReasonCodes', CODES));
    });

    it('accepts codes at their limits: 60 characters, digits, dashes and underscores, 500 of them', () => {
      expect(verdict(rulesWith({}, { defectReasonCodes: ['a'.repeat(60), '0_x-y'] }))).toBe('valid');
      expect(verdict(rulesWith({}, { defectReasonCodes: Array.from({ length: 500 }, (_, i) => `code-${i}`) }))).toBe('valid');
    });
  });

  describe('a jurisdiction', () => {
    it.each([['Italy'], ['it'], ['ITA'], ['I']])('refuses the key %p (ISO-3166 alpha-2 only)', (key) => {
      expect(verdict(rulesWith({ [key]: IT }))).toEqual(refused(`jurisdictions.${key}`, 'must be keyed by an ISO-3166 alpha-2 code'));
    });

    it.each([['null', null], ['a list', []], ['a string', 'Italy']])('refuses one that is %s', (_name, jurisdiction) => {
      expect(verdict(rulesWith({ IT: jurisdiction }))).toEqual(refused('jurisdictions.IT', 'must be an object'));
    });

    it.each([['missing', undefined], ['blank', '  '], ['not a string', 7]])('refuses a name %s', (_name, name) => {
      expect(verdict(italy({ name }))).toEqual(refused('jurisdictions.IT.name', 'must name the jurisdiction'));
    });

    it.each([['withdrawal'], ['conformity']])('refuses a %s right that is not an object', (right) => {
      expect(verdict(italy({ [right]: 'yes' }))).toEqual(refused(`jurisdictions.IT.${right}`, 'must be an object'));
      expect(verdict(italy({ [right]: null }))).toEqual(refused(`jurisdictions.IT.${right}`, 'must be an object'));
    });

    it('checks every jurisdiction, not only the first', () => {
      const rules = rulesWith({ IT, GB, BR: { ...BR, name: '' } });
      expect(verdict(rules)).toEqual(refused('jurisdictions.BR.name', 'must name the jurisdiction'));
    });
  });

  describe('periods', () => {
    const at = 'jurisdictions.IT.withdrawal.period';
    it.each([
      ['not an object', 14, PERIOD],
      ['null', null, PERIOD],
      ['empty', {}, 'must not be empty'],
      ['of zero days and months', { days: 0, months: 0 }, 'must not be empty'],
      ['of negative days', { days: -1 }, DAYS],
      ['of fractional days', { days: 1.5 }, DAYS],
      ['of days as text', { days: '14' }, DAYS],
      ['of more than a century of days', { days: 36_501 }, DAYS],
      ['of negative months', { months: -1 }, MONTHS],
      ['of fractional months', { months: 0.5 }, MONTHS],
      ['of more than a century of months', { months: 1_201 }, MONTHS],
    ])('refuses one %s', (_name, period, message) => {
      expect(verdict(withdrawal({ period }))).toEqual(refused(at, message));
    });

    it.each([
      [{ days: 36_500 }],
      [{ months: 1_200 }],
      [{ days: 1 }],
      [{ months: 1 }],
      [{ days: 0, months: 1 }],
      [{ days: 3, months: 1 }],
    ])('accepts %p', (period) => {
      expect(verdict(withdrawal({ period }))).toBe('valid');
    });

    it.each([
      ['withdrawal', 'periodWithoutReturnInformation', withdrawal],
      ['conformity', 'presumption', conformity],
    ])('checks the optional %s.%s when present', (right, key, patch) => {
      expect(verdict(patch({ [key]: {} }))).toEqual(refused(`jurisdictions.IT.${right}.${key}`, 'must not be empty'));
      expect(verdict(patch({ [key]: undefined }))).toBe('valid');
    });
  });

  describe('sources', () => {
    it.each([
      ['missing', undefined],
      ['without an article', { act: 'Directive 2011/83/EU' }],
      ['without an act', { article: 'art. 9' }],
      ['with a blank act', { act: ' ', article: 'art. 9' }],
      ['with a blank article', { act: 'Directive 2011/83/EU', article: '' }],
      ['with an act of 301 characters', { act: 'x'.repeat(301), article: 'art. 9' }],
      ['with an article as a number', { act: 'Directive 2011/83/EU', article: 9 }],
    ])('refuses a withdrawal source %s', (_name, source) => {
      expect(verdict(withdrawal({ source }))).toEqual(refused('jurisdictions.IT.withdrawal.source', SOURCE));
    });

    it('accepts an act of 300 characters', () => {
      expect(verdict(withdrawal({ source: { act: 'x'.repeat(300), article: 'y'.repeat(300) } }))).toBe('valid');
    });

    it.each([
      ['withdrawal.refundSource', withdrawal({ refundSource: {} })],
      ['conformity.source', conformity({ source: null })],
      ['conformity.refundSource', conformity({ refundSource: { act: 'a' } })],
    ])('checks %s', (field, rules) => {
      expect(verdict(rules)).toEqual(refused(`jurisdictions.IT.${field}`, SOURCE));
    });

    it('lets a conformity right go without a refund source', () => {
      expect(verdict(conformity({ refundSource: undefined }))).toBe('valid');
    });
  });

  describe('the withdrawal right', () => {
    const at = 'jurisdictions.IT.withdrawal';
    it.each([['not a list', 'online'], ['an unknown channel', ['online', 'carrier-pigeon']]])('refuses channels %s', (_name, channels) => {
      expect(verdict(withdrawal({ channels }))).toEqual(refused(`${at}.channels`, 'must list channels among online, phone, off_premises, in_store'));
    });

    it('accepts every sale channel, and none', () => {
      expect(verdict(withdrawal({ channels: ['online', 'phone', 'off_premises', 'in_store'] }))).toBe('valid');
      expect(verdict(withdrawal({ channels: [] }))).toBe('valid');
    });

    it.each([['exemptCategories'], ['sealedHygieneCategories'], ['sealedConditions']])('checks %s as codes', (key) => {
      expect(verdict(withdrawal({ [key]: ['Perishables'] }))).toEqual(refused(`${at}.${key}`, CODES));
    });

    it.each([['null', null], ['negative', -1], ['fractional', 1.5], ['over a century', 36_501]])('refuses refund-due days that are %s', (_name, days) => {
      expect(verdict(withdrawal({ refundDueDays: days }))).toEqual(refused(`${at}.refundDueDays`, 'must be a whole number of days from 0 to 36500'));
    });

    it.each([[0], [36_500]])('accepts refund-due days of %p', (days) => {
      expect(verdict(withdrawal({ refundDueDays: days }))).toBe('valid');
    });
  });

  describe('the conformity right', () => {
    const at = 'jurisdictions.IT.conformity';
    it.each([['missing', undefined], ['another word', 'purchase']])('refuses a count start %s', (_name, countedFrom) => {
      expect(verdict(conformity({ countedFrom }))).toEqual(refused(`${at}.countedFrom`, 'must be delivery or defect_noticed'));
    });

    it.each([['delivery'], ['defect_noticed']])('accepts counting from %s', (countedFrom) => {
      expect(verdict(conformity({ countedFrom }))).toBe('valid');
    });

    it.each([
      ['not a list', 'refund'],
      ['no tiers', []],
      ['an empty tier', [['repair'], []]],
      ['a tier that is not a list', ['refund']],
      ['an unknown remedy', [['repair', 'apology']]],
    ])('refuses remedies with %s', (_name, remedies) => {
      expect(verdict(conformity({ remedies }))).toEqual(refused(`${at}.remedies`, 'must be non-empty tiers of repair, replacement, price_reduction, refund'));
    });

    it('accepts every remedy in one tier', () => {
      expect(verdict(conformity({ remedies: [['repair', 'replacement', 'price_reduction', 'refund']] }))).toBe('valid');
    });

    it.each([['missing', undefined], ['text', 'true'], ['a number', 1]])('refuses consumerChooses %s', (_name, consumerChooses) => {
      expect(verdict(conformity({ consumerChooses }))).toEqual(refused(`${at}.consumerChooses`, 'must be true or false'));
    });

    it('takes null refund-due days (the law sets none), and no other non-number', () => {
      expect(verdict(conformity({ refundDueDays: null }))).toBe('valid');
      expect(verdict(conformity({ refundDueDays: undefined }))).toEqual(
        refused(`${at}.refundDueDays`, 'must be a whole number of days from 0 to 36500 or null'),
      );
      expect(verdict(conformity({ refundDueDays: -1 }))).toEqual(refused(`${at}.refundDueDays`, 'must be a whole number of days from 0 to 36500 or null'));
    });

    describe('periods by category', () => {
      it('accepts periods keyed by category codes', () => {
        expect(verdict(conformity({ periodByCategory: { perishables: { days: 30 }, 'personal-care': { months: 1 } } }))).toBe('valid');
      });

      it.each([['a list', [{ days: 30 }]], ['a number', 30], ['null', null]])('refuses a map that is %s', (_name, periodByCategory) => {
        expect(verdict(conformity({ periodByCategory }))).toEqual(refused(`${at}.periodByCategory`, 'must map categories to periods'));
      });

      it('refuses a key that is not a category code', () => {
        expect(verdict(conformity({ periodByCategory: { Perishables: { days: 30 } } }))).toEqual(
          refused(`${at}.periodByCategory`, 'must be keyed by lower-case category codes'),
        );
      });

      it('checks each period, naming its category', () => {
        expect(verdict(conformity({ periodByCategory: { perishables: { days: 30 }, toys: { days: -3 } } }))).toEqual(
          refused(`${at}.periodByCategory.toys`, DAYS),
        );
      });
    });

    describe('early rejection', () => {
      const early = GB.conformity!.earlyRejection!;
      it('accepts a period and a source', () => {
        expect(verdict(conformity({ earlyRejection: early }))).toBe('valid');
      });

      it.each([['a number', 30], ['null', null], ['a list', [early]]])('refuses one that is %s', (_name, earlyRejection) => {
        expect(verdict(conformity({ earlyRejection }))).toEqual(refused(`${at}.earlyRejection`, 'must have a period and a source'));
      });

      it('checks its period, then its source', () => {
        expect(verdict(conformity({ earlyRejection: { ...early, period: {} } }))).toEqual(refused(`${at}.earlyRejection.period`, 'must not be empty'));
        expect(verdict(conformity({ earlyRejection: { ...early, source: {} } }))).toEqual(refused(`${at}.earlyRejection.source`, SOURCE));
      });
    });
  });
});

describe('DEFAULT_LEGAL_RULES', () => {
  it('gives every EU and EEA state the directive, and Portugal and Spain their longer guarantee', () => {
    const { jurisdictions } = DEFAULT_LEGAL_RULES;
    expect(jurisdictions.DE!.conformity).toMatchObject({ period: { months: 24 }, presumption: { months: 12 }, source: { act: 'Directive (EU) 2019/771', article: 'art. 10' } });
    expect(jurisdictions.NO!.withdrawal).toMatchObject({ period: { days: 14 }, source: { act: 'Directive 2011/83/EU', article: 'art. 9' } });
    for (const country of ['PT', 'ES']) {
      expect(jurisdictions[country]!.conformity).toMatchObject({ period: { months: 36 }, presumption: { months: 24 }, remedies: IT.conformity!.remedies });
    }
    expect(jurisdictions.PT!.conformity!.source).toEqual({ act: 'Decreto-Lei 84/2021', article: 'art. 12' });
    expect(jurisdictions.ES!.conformity!.source).toEqual({ act: 'Real Decreto Legislativo 1/2007', article: 'art. 120' });
    expect(jurisdictions.ES!.name).toBe('Spain');
    expect(jurisdictions.US).toBeUndefined();
  });

  it('withdraws only from distance and off-premises sales, with the exemptions the directive allows', () => {
    for (const country of ['IT', 'GB', 'RU', 'BR']) {
      expect(DEFAULT_LEGAL_RULES.jurisdictions[country]!.withdrawal!.channels).toEqual(['online', 'phone', 'off_premises']);
    }
    expect(IT.withdrawal).toMatchObject({
      exemptCategories: ['perishables', 'custom-made', 'software-downloads', 'gift-cards'],
      sealedHygieneCategories: ['personal-care'],
      sealedConditions: ['new', 'unopened'],
    });
    expect(DEFAULT_LEGAL_RULES.defectReasonCodes).toEqual(['defective', 'not_as_described', 'damaged_in_transit', 'safety_hazard']);
  });

  it('lets the consumer choose the remedy only where the law says so (RU), and exempts the same goods in RU', () => {
    const chooses = Object.fromEntries(['IT', 'PT', 'GB', 'RU', 'BR'].map((c) => [c, DEFAULT_LEGAL_RULES.jurisdictions[c]!.conformity!.consumerChooses]));
    expect(chooses).toEqual({ IT: false, PT: false, GB: false, RU: true, BR: false });
    expect(DEFAULT_LEGAL_RULES.jurisdictions.RU!.withdrawal).toMatchObject({
      exemptCategories: ['perishables', 'custom-made', 'software-downloads', 'gift-cards'],
      sealedHygieneCategories: ['personal-care'],
      sealedConditions: ['new', 'unopened'],
    });
  });
});
