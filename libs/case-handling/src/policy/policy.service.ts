import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  Actor,
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
import { foldStream, StreamCommandHandler, StreamType } from '../command-handling/stream-command-handler';

const CACHE_MS = 1_000;
const SYSTEM: Actor = { id: 'system', roles: ['admin'] };

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
const POLICY_ID = 'current';

/**
 * The policy in force, read from its stream. Cached for a second: another process's revision is
 * seen within that time, and every evaluation records the version it actually used.
 */
@Injectable()
export class PolicyService implements OnModuleInit {
  private readonly logger = new Logger('Policy');
  private cached: { state: PolicyState; version: number; at: number } = { state: initialPolicyState(), version: 0, at: 0 };

  constructor(
    private readonly store: EventStore,
    private readonly streams: StreamCommandHandler,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** A sensible default exists from the first start, recorded like any other revision. */
  async onModuleInit(): Promise<void> {
    const { version } = await this.refresh();
    if (version > 0) return;
    const context: CommandContext = { actor: SYSTEM, correlationId: this.ids.newId(), causationId: null };
    // Another process starting at the same time may install it first: then there is nothing to do.
    const installed = await this.streams.handle(
      'RevisePolicy',
      POLICY_STREAM_TYPE,
      POLICY_ID,
      context,
      (state, now) =>
        state.status === 'none'
          ? decidePolicy({ type: 'RevisePolicy', rules: DEFAULT_POLICY_RULES, changeNote: 'Initial policy: default rules installed on first start', actor: SYSTEM, now }, state)
          : [],
      { creates: true },
    );
    if (!installed.duplicate) this.logger.log('installed the default policy as version 1');
    await this.refresh();
  }

  async current(): Promise<PolicyInForce> {
    if (this.clock.now().getTime() - this.cached.at > CACHE_MS) await this.refresh();
    return requireActivePolicy(this.cached.state);
  }

  async atVersion(version: number): Promise<PolicyInForce | null> {
    const events = await this.store.readStream(POLICY_STREAM, { toVersion: version });
    if (events.length < version || version < 1) return null;
    return requireActivePolicy(foldStream(POLICY_STREAM_TYPE, events));
  }

  /** The policy version that was in force at a moment; null before the first one. */
  async versionAt(at: Date): Promise<number | null> {
    // Verified: the answer depends on recorded times, which a changed row could move.
    const events = await this.store.readStream(POLICY_STREAM, { recordedUpTo: at, integrity: 'verify' });
    return events.length > 0 ? events[events.length - 1].version : null;
  }

  async revise(input: RevisePolicyInput, context: CommandContext): Promise<RevisedPolicy> {
    const { state, version, position } = await this.streams.handle(
      'RevisePolicy',
      POLICY_STREAM_TYPE,
      POLICY_ID,
      context,
      (current, now) => decidePolicy({ type: 'RevisePolicy', ...input, actor: context.actor, now }, current),
      { creates: true },
    );
    // decidePolicy records one event or throws, so a revision always has a position.
    if (position === null) throw new Error('the policy revision recorded no event');
    if (version > this.cached.version) this.cached = { state, version, at: this.clock.now().getTime() };
    return { policy: requireActivePolicy(state), position };
  }

  private async refresh(): Promise<{ state: PolicyState; version: number }> {
    const fromVersion = this.cached.version + 1;
    const events = await this.store.readStream(POLICY_STREAM, { fromVersion });
    const state = foldStream(POLICY_STREAM_TYPE, events, this.cached.state);
    const version = events.length > 0 ? events[events.length - 1].version : this.cached.version;
    this.cached = { state, version, at: this.clock.now().getTime() };
    return this.cached;
  }
}
