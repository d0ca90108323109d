import { DEFAULT_LEGAL_RULES, LegalRulesInForce } from '../legal/legal-rules';
import { daysBeforeNow, history, NOW, POLICY, sampleRequest } from '../testing/fixtures';
import { evaluateRequest, legalFactsOf } from './evaluate-request';

/** What the evaluation recommends where the law speaks, in the words the agent reads. */
const law: LegalRulesInForce = { version: 2, rules: DEFAULT_LEGAL_RULES, revisedAt: NOW.toISOString(), revisedBy: 'system', changeNote: 'seed' };
const recommend = (request = sampleRequest()) => evaluateRequest(request, POLICY, history(), NOW, law).recommendation;

describe('evaluateRequest under the law', () => {
  it('recommends a full refund under a withdrawal right, with its deadline', () => {
    expect(recommend(sampleRequest({ order: { purchasedAt: daysBeforeNow(3).toISOString(), saleChannel: 'online' } }))).toMatchObject({
      resolution: 'refund',
      note: 'Statutory withdrawal right (Directive 2011/83/EU, art. 9): refund in full, within 14 days',
    });
    expect(recommend(sampleRequest({ order: { country: 'BR', purchasedAt: daysBeforeNow(3).toISOString(), saleChannel: 'online' } }))).toMatchObject({
      resolution: 'refund',
      note: 'Statutory withdrawal right (Código de Defesa do Consumidor (Lei 8.078/1990), art. 49): refund in full, at once',
    });
  });

  it('recommends the remedy asked for under the guarantee when the law allows it, spelt for people', () => {
    const purchasedAt = daysBeforeNow(200).toISOString();
    const until = new Date(purchasedAt);
    const defective = (requestedResolution: 'refund' | 'exchange' | 'store_credit') =>
      sampleRequest({ order: { purchasedAt }, reason: { code: 'defective', description: 'stopped heating' }, requestedResolution });
    const lastDay = `${until.getUTCFullYear() + 2}-${String(until.getUTCMonth() + 1).padStart(2, '0')}-${String(until.getUTCDate()).padStart(2, '0')}`;
    expect(recommend(defective('exchange'))).toEqual({
      resolution: 'exchange',
      note: `Legal guarantee of conformity (Directive (EU) 2019/771, art. 10, until ${lastDay}): exchange; a denial needs the right contested with evidence`,
    });
    expect(recommend(defective('refund'))?.resolution).toBe('repair');
    expect(recommend(defective('store_credit'))).toEqual({
      resolution: 'store_credit',
      note: `Legal guarantee of conformity (Directive (EU) 2019/771, art. 10, until ${lastDay}): store credit; a denial needs the right contested with evidence`,
    });
  });

  it('hands the law every fact it reads, and null for each one not given', () => {
    const given = sampleRequest({
      order: { deliveredAt: '2026-01-02T00:00:00.000Z', saleChannel: 'phone', returnInformationGiven: true },
      reason: { code: 'defective', description: 'x', defectNoticedAt: '2026-01-05T00:00:00.000Z' },
    });
    expect(legalFactsOf(given)).toMatchObject({
      deliveredAt: '2026-01-02T00:00:00.000Z',
      saleChannel: 'phone',
      returnInformationGiven: true,
      defectNoticedAt: '2026-01-05T00:00:00.000Z',
    });
    expect(legalFactsOf(sampleRequest())).toMatchObject({ deliveredAt: null, saleChannel: null, returnInformationGiven: null, defectNoticedAt: null });
    expect(legalFactsOf(sampleRequest({ order: { returnInformationGiven: false } })).returnInformationGiven).toBe(false);
  });
});
