import { actors } from '../testing/fixtures';
import { IllegalTransitionError, InvalidCommandError } from '../shared/errors';
import {
  decideLegalRules,
  initialLegalRulesState,
  LEGAL_RULES_STREAM,
  LEGAL_RULES_STREAM_CATEGORY,
  requireActiveLegalRules,
} from '../legal/legal-rules-stream';
import { DEFAULT_LEGAL_RULES } from '../legal/legal-rules';
import { DEFAULT_POLICY_RULES } from './policy';
import { decidePolicy, initialPolicyState, POLICY_STREAM, POLICY_STREAM_CATEGORY, requireActivePolicy } from './policy-stream';

/**
 * The policy and the legal rules each live in one stream. Its name is where every deployment's
 * history already is: renaming it would start every store over with no policy and no law.
 */
describe('the singleton streams of the policy and the law', () => {
  it('keep their names', () => {
    expect([POLICY_STREAM_CATEGORY, POLICY_STREAM]).toEqual(['refundPolicy', 'refundPolicy-current']);
    expect([LEGAL_RULES_STREAM_CATEGORY, LEGAL_RULES_STREAM]).toEqual(['legalRules', 'legalRules-current']);
  });

  it('start with nothing in force', () => {
    expect(initialPolicyState()).toEqual({ status: 'none' });
    expect(initialLegalRulesState()).toEqual({ status: 'none' });
  });

  it('refuse to be used before anything was set, saying so', () => {
    const refusal = (use: () => unknown) => {
      try {
        use();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const policy = refusal(() => requireActivePolicy(initialPolicyState())) as IllegalTransitionError;
    expect(policy).toBeInstanceOf(IllegalTransitionError);
    expect(policy).toMatchObject({ command: 'UsePolicy', status: 'none', message: 'UsePolicy is not allowed while the case is none: no policy has been set' });
    const law = refusal(() => requireActiveLegalRules(initialLegalRulesState())) as IllegalTransitionError;
    expect(law).toBeInstanceOf(IllegalTransitionError);
    expect(law).toMatchObject({ command: 'UseLegalRules', status: 'none', message: 'UseLegalRules is not allowed while the case is none: no legal rules have been set' });
  });

  it('refuse a revision without a reason, naming the field and what to write', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(() => decidePolicy({ type: 'RevisePolicy', rules: DEFAULT_POLICY_RULES, changeNote: ' ', actor: actors.admin, now }, initialPolicyState())).toThrow(
      expect.objectContaining({ field: 'changeNote', message: 'changeNote must say why the policy changes' }) as InvalidCommandError,
    );
    expect(() =>
      decideLegalRules({ type: 'ReviseLegalRules', rules: DEFAULT_LEGAL_RULES, changeNote: '', actor: actors.admin, now }, initialLegalRulesState()),
    ).toThrow(expect.objectContaining({ field: 'changeNote', message: 'changeNote must say why the legal rules change (e.g. the act that changed)' }) as InvalidCommandError);
  });
});
