import { CONTEST_REASONS } from '@refund-desk/domain';
import { CATALOGS, DecisionMessageInput, renderDecisionMessage, SUPPORTED_LOCALES } from './render-decision-message';

const CONFORMITY = { right: 'conformity' as const, source: { act: 'Directive (EU) 2019/771', article: 'art. 10' } };
const WITHDRAWAL = { right: 'withdrawal' as const, source: { act: 'Directive 2011/83/EU', article: 'art. 9' } };

const input = (overrides: Partial<DecisionMessageInput> = {}): DecisionMessageInput => ({
  caseId: '4b1f0a9e8c2d4e6f',
  customerName: 'Maria Rossi',
  locale: 'it',
  productName: 'Bollitore elettrico',
  paymentMethod: 'card',
  decision: { outcome: 'repair', amount: null, rationale: 'Difetto coperto dalla garanzia', legalBasis: null, alternativesOffered: [] },
  settlementBusinessDays: { min: 3, max: 10 },
  now: new Date('2026-10-15T09:00:00.000Z'),
  ...overrides,
});

const denied = { outcome: 'denied' as const, amount: null, rationale: 'Calcare', legalBasis: null, alternativesOffered: [] };

describe('decision messages under the law', () => {
  it('says nothing of the law when no right was found (messages before the legal floor stay as they were)', () => {
    const plain = renderDecisionMessage(input());
    expect(renderDecisionMessage(input({ legal: { rights: [], contests: [] } }))).toEqual(plain);
    expect(plain.body).not.toContain('2019/771');
  });

  it.each(SUPPORTED_LOCALES)('%s: cites the right the decision honours, with its act and article', (locale) => {
    const { body } = renderDecisionMessage(input({ locale, legal: { rights: [CONFORMITY], contests: [] } }));
    expect(body).toContain('Directive (EU) 2019/771, art. 10');
    expect(body).not.toContain(CATALOGS[locale].contestReasons.damage_by_misuse);
  });

  it.each(SUPPORTED_LOCALES)('%s: for a contested right, cites the law, gives the reason and says how to dispute', (locale) => {
    const { body } = renderDecisionMessage(
      input({ locale, decision: denied, legal: { rights: [CONFORMITY], contests: [{ right: 'conformity', reason: 'damage_by_misuse' }] } }),
    );
    expect(body).toContain('Directive (EU) 2019/771, art. 10');
    expect(body).toContain(CATALOGS[locale].contestReasons.damage_by_misuse);
    expect(body).toMatch(/30/);
  });

  it.each(SUPPORTED_LOCALES)('%s: names each right in words of its own', (locale) => {
    const catalogs = CATALOGS[locale];
    const withdrawal = renderDecisionMessage(input({ locale, legal: { rights: [WITHDRAWAL], contests: [] } })).body;
    const conformity = renderDecisionMessage(input({ locale, legal: { rights: [CONFORMITY], contests: [] } })).body;
    expect(withdrawal.replace('Directive 2011/83/EU, art. 9', '')).not.toEqual(conformity.replace('Directive (EU) 2019/771, art. 10', ''));
    for (const reason of CONTEST_REASONS) expect(catalogs.contestReasons[reason].trim()).not.toBe('');
  });

  it('writes Arabic for an Arabic-speaking customer', () => {
    const { body } = renderDecisionMessage(
      input({ locale: 'ar-SA', decision: denied, legal: { rights: [WITHDRAWAL], contests: [{ right: 'withdrawal', reason: 'exempt_goods' }] } }),
    );
    expect(body).toContain('يستثني القانون');
    expect(body).toContain('Directive 2011/83/EU, art. 9');
  });
});
