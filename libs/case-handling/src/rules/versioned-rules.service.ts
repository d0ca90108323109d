import { Logger, OnModuleInit } from '@nestjs/common';
import { Actor } from '@refund-desk/domain';
import { EventStore } from '@refund-desk/event-store';
import { Clock, IdGenerator } from '@refund-desk/platform';
import { CommandContext } from '../command-handling/command-context';
import { DecidedEvent, foldStream, StreamCommandHandler, StreamType } from '../command-handling/stream-command-handler';

const CACHE_MS = 1_000;
const SYSTEM: Actor = { id: 'system', roles: ['admin'] };

/** A revision as the caller gives it: who and when come from the context and the clock. */
export interface RulesRevisionInput<Rules> {
  readonly rules: Rules;
  readonly changeNote: string;
}

/** One kind of rule set revised by appending to a stream of its own (the policy, the legal rules). */
export interface VersionedRulesSpec<State, Event extends DecidedEvent, InForce, Rules> {
  /** For logs: "policy", "legal rules". */
  readonly label: string;
  /** The command name in metrics. */
  readonly command: string;
  readonly streamType: StreamType<State, Event>;
  readonly streamName: string;
  /** Installed on first start, recorded like any other revision. */
  readonly defaults: RulesRevisionInput<Rules>;
  readonly decide: (input: RulesRevisionInput<Rules>, state: State, actor: Actor, now: Date) => readonly Event[];
  readonly isEmpty: (state: State) => boolean;
  readonly requireActive: (state: State) => InForce;
}

export interface RevisedRules<InForce> {
  readonly inForce: InForce;
  readonly position: number;
}

/**
 * A rule set in force, read from its stream and cached for a second: another process's revision
 * is seen within that time, and every evaluation records the version it actually used. Revisions
 * go through the one command path (bounded retry, 412 on a stale If-Match).
 */
export abstract class VersionedRulesService<State, Event extends DecidedEvent, InForce, Rules> implements OnModuleInit {
  private readonly logger: Logger;
  private cached: { state: State; version: number; at: number };

  protected constructor(
    private readonly spec: VersionedRulesSpec<State, Event, InForce, Rules>,
    private readonly store: EventStore,
    private readonly streams: StreamCommandHandler,
    protected readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {
    this.logger = new Logger(spec.label);
    this.cached = { state: spec.streamType.initialState(), version: 0, at: 0 };
  }

  async onModuleInit(): Promise<void> {
    const { version } = await this.refresh();
    if (version > 0) return;
    const context: CommandContext = { actor: SYSTEM, correlationId: this.ids.newId(), causationId: null };
    // Another process starting at the same time may install it first: then there is nothing to do.
    const installed = await this.streams.handle(
      this.spec.command,
      this.spec.streamType,
      'current',
      context,
      (state, now) => (this.spec.isEmpty(state) ? this.spec.decide(this.spec.defaults, state, SYSTEM, now) : []),
      { creates: true },
    );
    if (!installed.duplicate) this.logger.log(`installed the default ${this.spec.label} as version 1`);
    await this.refresh();
  }

  async current(): Promise<InForce> {
    if (this.clock.now().getTime() - this.cached.at > CACHE_MS) await this.refresh();
    return this.spec.requireActive(this.cached.state);
  }

  async atVersion(version: number): Promise<InForce | null> {
    const events = await this.store.readStream(this.spec.streamName, { toVersion: version });
    if (events.length < version || version < 1) return null;
    return this.spec.requireActive(foldStream(this.spec.streamType, events));
  }

  /** The version that was in force at a moment; null before the first one. */
  async versionAt(at: Date): Promise<number | null> {
    // Verified: the answer depends on recorded times, which a changed row could move.
    const events = await this.store.readStream(this.spec.streamName, { recordedUpTo: at, integrity: 'verify' });
    return events.length > 0 ? events[events.length - 1].version : null;
  }

  async reviseRules(input: RulesRevisionInput<Rules>, context: CommandContext): Promise<RevisedRules<InForce>> {
    const { state, version, position } = await this.streams.handle(
      this.spec.command,
      this.spec.streamType,
      'current',
      context,
      (current, now) => this.spec.decide(input, current, context.actor, now),
      { creates: true },
    );
    // A revision records one event or throws, so it always has a position.
    if (position === null) throw new Error(`the ${this.spec.label} revision recorded no event`);
    if (version > this.cached.version) this.cached = { state, version, at: this.clock.now().getTime() };
    return { inForce: this.spec.requireActive(state), position };
  }

  private async refresh(): Promise<{ state: State; version: number }> {
    const fromVersion = this.cached.version + 1;
    const events = await this.store.readStream(this.spec.streamName, { fromVersion });
    const state = foldStream(this.spec.streamType, events, this.cached.state);
    const version = events.length > 0 ? events[events.length - 1].version : this.cached.version;
    this.cached = { state, version, at: this.clock.now().getTime() };
    return this.cached;
  }
}
