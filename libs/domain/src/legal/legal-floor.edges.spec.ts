import type { Outcome } from '../case/request';
import { decisionUnderLaw, ITALIAN_CONFORMITY, ITALIAN_WITHDRAWAL } from '../testing/legal-fixtures';
import type { LegalEntitlement } from './entitlements';
import { allowedOutcomes, checkLegalFloor, ContestReason, contestProblem, DecisionUnderLaw } from './legal-floor';

/** The words a manager reads when the floor refuses a decision, and the edges of each rule. */
const withdrawal = ITALIAN_WITHDRAWAL;
const conformity = ITALIAN_CONFORMITY;
const chooses: LegalEntitlement = { ...conformity, remedies: [['repair', 'replacement', 'price_reduction']], consumerChooses: true };

const decision = (outcome: Outcome, overrides: Partial<DecisionUnderLaw> = {}) => decisionUnderLaw(outcome, { deciderAuthority: 'senior_manager', ...overrides });

describe('the legal floor, word for word', () => {
  it('names the outcome, the right, its source and last day, and what is allowed', () => {
    expect(checkLegalFloor([withdrawal], decision('partial_refund', { amount: { minor: 5_000, currency: 'EUR' } }))).toEqual({
      problem: 'below_floor',
      right: 'withdrawal',
      source: withdrawal.source,
      allowedOutcomes: ['refund'],
      message:
        '"partial_refund" goes below the customer\'s withdrawal right (Directive 2011/83/EU, art. 9, until 2026-03-24): allowed refund, or contest the right with evidence',
    });
  });

  it('lists every outcome the guarantee allows when a denial goes below it', () => {
    expect(checkLegalFloor([conformity], decision('denied'))?.message).toBe(
      '"denied" goes below the customer\'s conformity right (Directive (EU) 2019/771, art. 10, until 2028-03-10): ' +
        'allowed repair, exchange, partial_refund, refund, or contest the right with evidence',
    );
  });

  it('names the amounts of a "refund" short of what was paid', () => {
    expect(checkLegalFloor([withdrawal], decision('refund', { amount: { minor: 5_000, currency: 'EUR' } }))?.message).toBe(
      "a refund of 5000 of the 8999 paid goes below the customer's withdrawal right (Directive 2011/83/EU, art. 9, until 2026-03-24): " +
        'allowed refund, or contest the right with evidence',
    );
  });

  it('lets a conformity claim be met by a refund of part of the price (a price reduction is a remedy)', () => {
    expect(checkLegalFloor([conformity], decision('refund', { amount: { minor: 5_000, currency: 'EUR' } }))).toBeNull();
  });

  it('says why a contest cannot stand', () => {
    const contest = { right: 'conformity' as const, reason: 'not_a_defect' as const, evidence: ['photo-1'] };
    expect(contestProblem({ ...contest, right: 'withdrawal' }, 'senior_manager')).toEqual({
      problem: 'contest_does_not_fit',
      message: '"not_a_defect" cannot contest a withdrawal right',
    });
    expect(contestProblem({ ...contest, evidence: [] }, 'senior_manager')).toEqual({
      problem: 'contest_needs_evidence',
      message: 'contesting the conformity right needs at least one evidence reference',
    });
    expect(contestProblem(contest, 'manager')).toEqual({
      problem: 'contest_needs_authority',
      message: 'contesting the conformity right needs senior manager authority',
    });
    expect(contestProblem(contest, 'senior_manager')).toBeNull();
  });

  it('refuses a contest reason it does not know (from outside the type system) as not fitting', () => {
    const unknown = { right: 'conformity' as const, reason: 'bad_weather' as ContestReason, evidence: ['x'] };
    expect(contestProblem(unknown, 'senior_manager')?.problem).toBe('contest_does_not_fit');
  });

  it('lets a withdrawal be contested as outside its period, on evidence', () => {
    const contested = decision('denied', { contests: [{ right: 'withdrawal', reason: 'outside_period_on_evidence', evidence: ['carrier-scan'] }] });
    expect(checkLegalFloor([withdrawal], contested)).toBeNull();
  });

  it('ignores a contest of a right the request does not carry', () => {
    const contested = decision('refund', { deciderAuthority: 'agent', contests: [{ right: 'conformity', reason: 'not_a_defect', evidence: [] }] });
    expect(checkLegalFloor([withdrawal], contested)).toBeNull();
  });
});

describe('allowedOutcomes at its edges', () => {
  it('where the seller chooses, a wish for a first-tier remedy does not narrow the remedies', () => {
    expect(allowedOutcomes(conformity, 'repair')).toEqual(['repair', 'exchange', 'partial_refund', 'refund']);
  });

  it('where the consumer chooses, store credit they asked for binds, or a full refund', () => {
    expect(allowedOutcomes(chooses, 'store_credit')).toEqual(['store_credit', 'refund']);
    expect(allowedOutcomes(chooses, 'exchange')).toEqual(['exchange', 'refund']);
  });

  it('a right without remedies allows only what the customer asked for as credit', () => {
    expect(allowedOutcomes({ ...chooses, remedies: [] }, 'refund')).toEqual([]);
    expect(allowedOutcomes({ ...conformity, remedies: [] }, 'store_credit')).toEqual(['store_credit']);
  });
});
