import { Actor } from '../shared/actor';
import { IllegalTransitionError, InvalidCommandError } from '../shared/errors';
import { assertNever } from '../shared/exhaustive';
import { assertValidLegalRules, LegalRules, LegalRulesInForce } from './legal-rules';

/**
 * One stream holds every revision of the legal rules, apart from the merchant's policy stream:
 * the law changes on its own schedule and is owned by someone else (legal, not the policy owner).
 */
export const LEGAL_RULES_STREAM_CATEGORY = 'legalRules';
export const LEGAL_RULES_STREAM = `${LEGAL_RULES_STREAM_CATEGORY}-current`;

export interface LegalRulesRevised {
  readonly type: 'LegalRulesRevised';
  readonly data: {
    readonly rules: LegalRules;
    readonly changeNote: string;
    readonly revisedBy: string;
    readonly revisedAt: string;
  };
}
export type LegalRulesEvent = LegalRulesRevised;

export interface ReviseLegalRules {
  readonly type: 'ReviseLegalRules';
  readonly rules: LegalRules;
  readonly changeNote: string;
  readonly actor: Actor;
  readonly now: Date;
}

export type LegalRulesState = { readonly status: 'none' } | ({ readonly status: 'active' } & LegalRulesInForce);

export const initialLegalRulesState = (): LegalRulesState => ({ status: 'none' });

export function decideLegalRules(command: ReviseLegalRules, _state: LegalRulesState): LegalRulesEvent[] {
  if (command.changeNote.trim().length === 0) {
    throw new InvalidCommandError('changeNote must say why the legal rules change (e.g. the act that changed)', 'changeNote');
  }
  assertValidLegalRules(command.rules);
  return [
    {
      type: 'LegalRulesRevised',
      data: { rules: command.rules, changeNote: command.changeNote.trim(), revisedBy: command.actor.id, revisedAt: command.now.toISOString() },
    },
  ];
}

export function evolveLegalRules(state: LegalRulesState, event: LegalRulesEvent): LegalRulesState {
  switch (event.type) {
    case 'LegalRulesRevised':
      return {
        status: 'active',
        version: state.status === 'active' ? state.version + 1 : 1,
        rules: event.data.rules,
        revisedAt: event.data.revisedAt,
        revisedBy: event.data.revisedBy,
        changeNote: event.data.changeNote,
      };
    default:
      return assertNever(event.type, 'legal rules event');
  }
}

export function requireActiveLegalRules(state: LegalRulesState): LegalRulesInForce {
  if (state.status !== 'active') throw new IllegalTransitionError('UseLegalRules', 'none', 'no legal rules have been set');
  const { status: _status, ...law } = state;
  return law;
}
