import type { Outcome, RequestedResolution } from '../case/request';
import type { AuthorityLevel } from '../shared/actor';
import { decisionUnderLaw, ITALIAN_CONFORMITY, ITALIAN_WITHDRAWAL } from '../testing/legal-fixtures';
import type { LegalEntitlement } from './entitlements';
import { allowedOutcomes, checkLegalFloor, EntitlementContest } from './legal-floor';

const withdrawal = ITALIAN_WITHDRAWAL;
const conformity = ITALIAN_CONFORMITY;

const russianConformity: LegalEntitlement = {
  ...conformity,
  country: 'RU',
  source: { act: 'Закон РФ «О защите прав потребителей»', article: 'ст. 18-19' },
  remedies: [['repair', 'replacement', 'price_reduction', 'refund']],
  consumerChooses: true,
};

const decision = decisionUnderLaw;

const contest = (overrides: Partial<EntitlementContest> = {}): EntitlementContest => ({
  right: 'conformity',
  reason: 'damage_by_misuse',
  evidence: ['inspection-report-4711'],
  ...overrides,
});

describe('the legal floor', () => {
  it('allows any decision when no right applies', () => {
    expect(checkLegalFloor([], decision('denied'))).toBeNull();
  });

  describe('withdrawal', () => {
    it('refuses a denial and names the right and its source', () => {
      const violation = checkLegalFloor([withdrawal], decision('denied'));
      expect(violation).toMatchObject({ problem: 'below_floor', right: 'withdrawal', source: withdrawal.source, allowedOutcomes: ['refund'] });
      expect(violation?.message).toContain('Directive 2011/83/EU, art. 9');
    });

    it.each<Outcome>(['store_credit', 'exchange', 'repair', 'partial_refund'])('refuses %s in place of the refund', (outcome) => {
      expect(checkLegalFloor([withdrawal], decision(outcome))?.problem).toBe('below_floor');
    });

    it('refuses a "refund" of less than was paid', () => {
      const violation = checkLegalFloor([withdrawal], decision('refund', { amount: { minor: 8_000, currency: 'EUR' } }));
      expect(violation?.problem).toBe('below_floor');
      expect(violation?.message).toContain('8000 of the 8999 paid');
    });

    it('accepts a full refund, with or without the amount spelt out', () => {
      expect(checkLegalFloor([withdrawal], decision('refund'))).toBeNull();
      expect(checkLegalFloor([withdrawal], decision('refund', { amount: { minor: 8_999, currency: 'EUR' } }))).toBeNull();
    });

    it('accepts a denial that a senior manager contests as exempt goods, with evidence', () => {
      const contested = decision('denied', {
        deciderAuthority: 'senior_manager',
        contests: [contest({ right: 'withdrawal', reason: 'exempt_goods', evidence: ['photo-seal-broken'] })],
      });
      expect(checkLegalFloor([withdrawal], contested)).toBeNull();
    });

    it('refuses a contest whose reason does not fit the right', () => {
      const contested = decision('denied', { deciderAuthority: 'senior_manager', contests: [contest({ right: 'withdrawal', reason: 'not_a_defect' })] });
      expect(checkLegalFloor([withdrawal], contested)?.problem).toBe('contest_does_not_fit');
    });
  });

  describe('conformity', () => {
    it('refuses a plain denial of the kettle, naming Directive (EU) 2019/771 art. 10', () => {
      const violation = checkLegalFloor([conformity], decision('denied'));
      expect(violation).toMatchObject({ problem: 'below_floor', right: 'conformity' });
      expect(violation?.message).toContain('Directive (EU) 2019/771, art. 10');
    });

    it.each<Outcome>(['repair', 'exchange', 'partial_refund', 'refund'])('accepts the legal remedy %s', (outcome) => {
      expect(checkLegalFloor([conformity], decision(outcome))).toBeNull();
    });

    it('refuses store credit the customer did not ask for, and accepts it when they did', () => {
      expect(checkLegalFloor([conformity], decision('store_credit'))?.problem).toBe('below_floor');
      expect(checkLegalFloor([conformity], decision('store_credit', { requestedResolution: 'store_credit' }))).toBeNull();
    });

    it.each<[RequestedResolution, Outcome, boolean]>([
      ['refund', 'repair', false],
      ['refund', 'refund', true],
      ['exchange', 'exchange', true],
      ['exchange', 'repair', false],
      ['exchange', 'refund', true],
    ])('RU: the consumer chose %s, the decision is %s: allowed %s', (requestedResolution, outcome, allowed) => {
      expect(checkLegalFloor([russianConformity], decision(outcome, { requestedResolution })) === null).toBe(allowed);
    });

    it.each<AuthorityLevel | undefined>(['agent', 'manager', undefined])('refuses a contest by %s authority', (deciderAuthority) => {
      expect(checkLegalFloor([conformity], decision('denied', { deciderAuthority, contests: [contest()] }))?.problem).toBe('contest_needs_authority');
    });

    it('refuses a contest without evidence', () => {
      const contested = decision('denied', { deciderAuthority: 'senior_manager', contests: [contest({ evidence: [] })] });
      expect(checkLegalFloor([conformity], contested)?.problem).toBe('contest_needs_evidence');
    });

    it.each(['not_a_defect', 'damage_by_misuse', 'outside_period_on_evidence'] as const)(
      'accepts a denial a senior manager contests as %s with evidence',
      (reason) => {
        expect(checkLegalFloor([conformity], decision('denied', { deciderAuthority: 'senior_manager', contests: [contest({ reason })] }))).toBeNull();
      },
    );

    it('a contest of one right does not cover another', () => {
      const contested = decision('denied', { deciderAuthority: 'senior_manager', contests: [contest()] });
      expect(checkLegalFloor([withdrawal, conformity], contested)).toMatchObject({ problem: 'below_floor', right: 'withdrawal' });
    });
  });

  it('lists the outcomes a right allows', () => {
    expect(allowedOutcomes(conformity, 'refund')).toEqual(['repair', 'exchange', 'partial_refund', 'refund']);
    expect(allowedOutcomes(russianConformity, 'repair')).toEqual(['repair', 'refund']);
    expect(allowedOutcomes(withdrawal, 'store_credit')).toEqual(['refund']);
  });
});
