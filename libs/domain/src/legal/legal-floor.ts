import type { Outcome, RequestedResolution } from '../case/request';
import { AuthorityLevel, authorityRank } from '../shared/actor';
import type { Money } from '../shared/money';
import type { LegalEntitlement } from './entitlements';
import type { LegalRight, LegalSource, Remedy } from './legal-rules';

/**
 * Grounds on which a decider may deny that a right applies at all. Contesting is a claim about the
 * facts, so it needs evidence and a senior manager; going below an uncontested right is never allowed.
 */
export const CONTEST_REASONS = ['not_a_defect', 'damage_by_misuse', 'outside_period_on_evidence', 'exempt_goods'] as const;
export type ContestReason = (typeof CONTEST_REASONS)[number];

const CONTESTS: Readonly<Record<ContestReason, readonly LegalRight[]>> = {
  not_a_defect: ['conformity'],
  damage_by_misuse: ['conformity'],
  outside_period_on_evidence: ['withdrawal', 'conformity'],
  exempt_goods: ['withdrawal'],
};

export const CONTEST_AUTHORITY: AuthorityLevel = 'senior_manager';

export interface EntitlementContest {
  readonly right: LegalRight;
  readonly reason: ContestReason;
  /** References to the evidence the contest rests on (inspection report, photos...). */
  readonly evidence: readonly string[];
}

export interface DecisionUnderLaw {
  readonly outcome: Outcome;
  readonly amount: Money | null;
  /** What the customer paid. */
  readonly paid: Money;
  readonly requestedResolution: RequestedResolution;
  readonly contests: readonly EntitlementContest[];
  readonly deciderAuthority: AuthorityLevel | undefined;
}

export type LegalFloorProblem = 'below_floor' | 'contest_needs_authority' | 'contest_needs_evidence' | 'contest_does_not_fit';

export interface LegalFloorViolation {
  readonly problem: LegalFloorProblem;
  readonly right: LegalRight;
  readonly source: LegalSource;
  readonly message: string;
  /** The outcomes the right allows (for below_floor). */
  readonly allowedOutcomes: readonly Outcome[];
}

/** The outcome that carries out each remedy. */
export const REMEDY_OUTCOME: Readonly<Record<Remedy, Outcome>> = {
  repair: 'repair',
  replacement: 'exchange',
  price_reduction: 'partial_refund',
  refund: 'refund',
};

/**
 * The outcomes that respect a right. A withdrawal is a full refund. A conformity claim may be met by
 * any legal remedy (the order of tiers is the seller's to follow, not a ceiling); where the consumer
 * chooses, their choice binds unless the seller refunds in full. Store credit is never a legal remedy:
 * only the customer can ask for it.
 */
export function allowedOutcomes(entitlement: LegalEntitlement, requested: RequestedResolution): readonly Outcome[] {
  if (entitlement.right === 'withdrawal') return ['refund'];
  const customerChoice: readonly Outcome[] = requested === 'store_credit' ? ['store_credit'] : [];
  const firstTier = entitlement.remedies[0]?.map((r) => REMEDY_OUTCOME[r]) ?? [];
  if (entitlement.consumerChooses && (firstTier.includes(requested) || requested === 'store_credit')) {
    return [...new Set<Outcome>([requested, 'refund'])];
  }
  return [...new Set<Outcome>([...entitlement.remedies.flat().map((r) => REMEDY_OUTCOME[r]), ...customerChoice])];
}

/** Why a contest cannot stand, or null: the reason must fit the right, carry evidence and come from a senior manager. */
export function contestProblem(
  contest: EntitlementContest,
  authority: AuthorityLevel | undefined,
): { readonly problem: Exclude<LegalFloorProblem, 'below_floor'>; readonly message: string } | null {
  if (!CONTESTS[contest.reason]?.includes(contest.right)) {
    return { problem: 'contest_does_not_fit', message: `"${contest.reason}" cannot contest a ${contest.right} right` };
  }
  if (contest.evidence.length === 0) {
    return { problem: 'contest_needs_evidence', message: `contesting the ${contest.right} right needs at least one evidence reference` };
  }
  if (authority === undefined || authorityRank(authority) < authorityRank(CONTEST_AUTHORITY)) {
    return { problem: 'contest_needs_authority', message: `contesting the ${contest.right} right needs ${CONTEST_AUTHORITY.replace('_', ' ')} authority` };
  }
  return null;
}

const cite = (source: LegalSource): string => `${source.act}, ${source.article}`;

/**
 * Checks a decision against every right the evaluation found. Returns the first violation, or null
 * when the decision respects the law (or validly contests the right it goes below). Every contest
 * must stand, even one the outcome did not need.
 */
export function checkLegalFloor(entitlements: readonly LegalEntitlement[], decision: DecisionUnderLaw): LegalFloorViolation | null {
  for (const entitlement of entitlements) {
    const allowed = allowedOutcomes(entitlement, decision.requestedResolution);
    const fullRefundShort =
      entitlement.right === 'withdrawal' &&
      decision.outcome === 'refund' &&
      decision.amount !== null &&
      decision.amount.minor < decision.paid.minor;
    if (allowed.includes(decision.outcome) && !fullRefundShort) continue;

    const contest = decision.contests.find((c) => c.right === entitlement.right);
    if (!contest) {
      const what = fullRefundShort ? `a refund of ${decision.amount!.minor} of the ${decision.paid.minor} paid` : `"${decision.outcome}"`;
      return {
        problem: 'below_floor',
        right: entitlement.right,
        source: entitlement.source,
        allowedOutcomes: allowed,
        message:
          `${what} goes below the customer's ${entitlement.right} right (${cite(entitlement.source)}, until ` +
          `${entitlement.until.slice(0, 10)}): allowed ${allowed.join(', ')}, or contest the right with evidence`,
      };
    }
  }
  // A contest is a claim of fact whether or not the outcome needed it: it is checked every time.
  for (const contest of decision.contests) {
    const entitlement = entitlements.find((e) => e.right === contest.right);
    if (!entitlement) continue;
    const problem = contestProblem(contest, decision.deciderAuthority);
    if (problem) {
      return {
        ...problem,
        right: entitlement.right,
        source: entitlement.source,
        allowedOutcomes: allowedOutcomes(entitlement, decision.requestedResolution),
      };
    }
  }
  return null;
}
