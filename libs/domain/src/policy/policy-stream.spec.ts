import { actors, NOW } from '../testing/fixtures';
import { specFor } from '../testing/given-when-then';
import { IllegalTransitionError, InvalidCommandError } from '../shared/errors';
import { DEFAULT_POLICY_RULES } from './policy';
import {
  decidePolicy,
  evolvePolicy,
  initialPolicyState,
  PolicyEvent,
  PolicyRevised,
  PolicyState,
  requireActivePolicy,
  RevisePolicy,
} from './policy-stream';

const givenPolicy = specFor<RevisePolicy, PolicyEvent, PolicyState>({
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicyState,
});

const revise = (o: Partial<Omit<RevisePolicy, 'type'>> = {}): RevisePolicy => ({
  type: 'RevisePolicy',
  rules: DEFAULT_POLICY_RULES,
  changeNote: 'Initial policy',
  actor: actors.seniorManager,
  now: NOW,
  ...o,
});

const revised = (changeNote: string, revisedAt = '2026-01-01T00:00:00.000Z'): PolicyRevised => ({
  type: 'PolicyRevised',
  data: { rules: DEFAULT_POLICY_RULES, changeNote, revisedBy: 'senior-sofia', revisedAt },
});

describe('policy stream', () => {
  describe('decidePolicy', () => {
    it('records a revision with its rules, the reason, who and when', () => {
      givenPolicy()
        .when(revise({ changeNote: '  First version  ' }))
        .then((produced) =>
          expect(produced).toEqual([
            {
              type: 'PolicyRevised',
              data: {
                rules: DEFAULT_POLICY_RULES,
                changeNote: 'First version',
                revisedBy: 'senior-sofia',
                revisedAt: '2026-10-15T09:00:00.000Z',
              },
            },
          ]),
        );
    });

    it('revises a policy already in force', () => {
      const rules = { ...DEFAULT_POLICY_RULES, goodwillGraceDays: 14 };
      givenPolicy(revised('v1'), revised('v2'))
        .when(revise({ rules, changeNote: 'Longer goodwill after Q3 review' }))
        .then((produced) => expect(produced[0]?.data).toMatchObject({ rules: { goodwillGraceDays: 14 } }));
    });

    it.each(['', '   '])('refuses a revision without a change note (%p)', (changeNote) => {
      givenPolicy()
        .when(revise({ changeNote }))
        .thenThrows(InvalidCommandError, (error) => expect(error.field).toBe('changeNote'));
    });

    it('refuses invalid rules', () => {
      givenPolicy()
        .when(revise({ rules: { ...DEFAULT_POLICY_RULES, goodwillGraceDays: -1 } }))
        .thenThrows(InvalidCommandError, (error) => expect(error.field).toBe('rules.goodwillGraceDays'));
    });
  });

  describe('evolvePolicy', () => {
    it('starts at version 1 and adds one per revision', () => {
      const states = [revised('v1'), revised('v2'), revised('v3', '2026-03-01T00:00:00.000Z')].reduce<PolicyState[]>(
        (acc, event) => [...acc, evolvePolicy(acc[acc.length - 1] ?? initialPolicyState(), event)],
        [],
      );
      expect(states.map((s) => (s.status === 'active' ? s.version : 0))).toEqual([1, 2, 3]);
      expect(states[2]).toEqual({
        status: 'active',
        version: 3,
        rules: DEFAULT_POLICY_RULES,
        revisedAt: '2026-03-01T00:00:00.000Z',
        revisedBy: 'senior-sofia',
        changeNote: 'v3',
      });
    });
  });

  describe('requireActivePolicy', () => {
    it('refuses when no policy was ever set', () => {
      expect(() => requireActivePolicy(initialPolicyState())).toThrow(IllegalTransitionError);
    });

    it('gives the policy in force without the stream status', () => {
      const policy = requireActivePolicy(evolvePolicy(evolvePolicy(initialPolicyState(), revised('v1')), revised('v2')));
      expect(policy).toEqual({
        version: 2,
        rules: DEFAULT_POLICY_RULES,
        revisedAt: '2026-01-01T00:00:00.000Z',
        revisedBy: 'senior-sofia',
        changeNote: 'v2',
      });
    });
  });
});
