import { Injectable } from '@nestjs/common';
import {
  DEFAULT_POLICY_RULES,
  decidePolicy,
  evolvePolicy,
  IllegalTransitionError,
  initialPolicyState,
  POLICY_STREAM,
  PolicyEvent,
  PolicyInForce,
  PolicyState,
  requireActivePolicy,
  RevisePolicy,
} from '@refund-desk/domain';
import { EventStore } from '@refund-desk/event-store';
import { Clock, IdGenerator } from '@refund-desk/platform';
import { CommandContext } from '../command-handling/command-context';
import { StreamCommandHandler, StreamType } from '../command-handling/stream-command-handler';
import { VersionedRulesService } from '../rules/versioned-rules.service';

/** A revision as the caller gives it: who and when come from the context and the clock. */
export type RevisePolicyInput = Omit<RevisePolicy, 'type' | 'actor' | 'now'>;

export interface RevisedPolicy {
  readonly policy: PolicyInForce;
  readonly position: number;
}

/** The policy's one stream; its version is the policy version. Every revision may start it. */
export const POLICY_STREAM_TYPE: StreamType<PolicyState, PolicyEvent> = {
  streamName: () => POLICY_STREAM,
  initialState: initialPolicyState,
  evolve: evolvePolicy,
  // Stored data is the domain's own JSON; its type names which event it is.
  toEvent: (recorded) => (recorded.type === 'PolicyRevised' ? ({ type: 'PolicyRevised', data: recorded.data } as PolicyEvent) : undefined),
  exists: (state) => state.status === 'active',
  notFound: () => new IllegalTransitionError('UsePolicy', 'none', 'no policy has been set'),
};
/**
 * The policy in force, read from its stream. Cached for a second: another process's revision is
 * seen within that time, and every evaluation records the version it actually used.
 */
@Injectable()
export class PolicyService extends VersionedRulesService<PolicyState, PolicyEvent, PolicyInForce, RevisePolicyInput['rules']> {
  constructor(store: EventStore, streams: StreamCommandHandler, clock: Clock, ids: IdGenerator) {
    super(
      {
        label: 'policy',
        command: 'RevisePolicy',
        streamType: POLICY_STREAM_TYPE,
        streamName: POLICY_STREAM,
        defaults: { rules: DEFAULT_POLICY_RULES, changeNote: 'Initial policy: default rules installed on first start' },
        decide: (input, state, actor, now) => decidePolicy({ type: 'RevisePolicy', ...input, actor, now }, state),
        isEmpty: (state) => state.status === 'none',
        requireActive: requireActivePolicy,
      },
      store,
      streams,
      clock,
      ids,
    );
  }

  async revise(input: RevisePolicyInput, context: CommandContext): Promise<RevisedPolicy> {
    const { inForce, position } = await this.reviseRules(input, context);
    return { policy: inForce, position };
  }
}
