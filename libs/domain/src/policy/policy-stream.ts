import { Actor } from '../shared/actor';
import { IllegalTransitionError, InvalidCommandError } from '../shared/errors';
import { assertNever } from '../shared/exhaustive';
import { assertValidPolicyRules, PolicyInForce, PolicyRules } from './policy';

/** One stream holds every revision of the policy; its version is the policy version. */
export const POLICY_STREAM_CATEGORY = 'refundPolicy';
export const POLICY_STREAM = `${POLICY_STREAM_CATEGORY}-current`;

export interface PolicyRevised {
  readonly type: 'PolicyRevised';
  readonly data: {
    readonly rules: PolicyRules;
    readonly changeNote: string;
    readonly revisedBy: string;
    readonly revisedAt: string;
  };
}
export type PolicyEvent = PolicyRevised;

export interface RevisePolicy {
  readonly type: 'RevisePolicy';
  readonly rules: PolicyRules;
  readonly changeNote: string;
  readonly actor: Actor;
  readonly now: Date;
}

export type PolicyState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active' } & PolicyInForce);

export const initialPolicyState = (): PolicyState => ({ status: 'none' });

export function decidePolicy(command: RevisePolicy, _state: PolicyState): PolicyEvent[] {
  if (command.changeNote.trim().length === 0) {
    throw new InvalidCommandError('changeNote must say why the policy changes', 'changeNote');
  }
  assertValidPolicyRules(command.rules);
  return [
    {
      type: 'PolicyRevised',
      data: {
        rules: command.rules,
        changeNote: command.changeNote.trim(),
        revisedBy: command.actor.id,
        revisedAt: command.now.toISOString(),
      },
    },
  ];
}

export function evolvePolicy(state: PolicyState, event: PolicyEvent): PolicyState {
  switch (event.type) {
    case 'PolicyRevised':
      return {
        status: 'active',
        version: state.status === 'active' ? state.version + 1 : 1,
        rules: event.data.rules,
        revisedAt: event.data.revisedAt,
        revisedBy: event.data.revisedBy,
        changeNote: event.data.changeNote,
      };
    default:
      return assertNever(event.type, 'policy event');
  }
}

export function requireActivePolicy(state: PolicyState): PolicyInForce {
  if (state.status !== 'active') throw new IllegalTransitionError('UsePolicy', 'none', 'no policy has been set');
  const { status: _status, ...policy } = state;
  return policy;
}
