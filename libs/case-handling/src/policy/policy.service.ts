import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  Actor,
  DEFAULT_POLICY_RULES,
  decidePolicy,
  evolvePolicy,
  initialPolicyState,
  POLICY_STREAM,
  PolicyEvent,
  PolicyInForce,
  PolicyRules,
  PolicyState,
  requireActivePolicy,
} from '@refund-desk/domain';
import { EventStore, RecordedEvent, WrongExpectedVersionError } from '@refund-desk/event-store';
import { Clock, IdGenerator } from '@refund-desk/platform';
import { CommandContext, traceMetadata } from '../command-handling/command-context';
import { VersionMismatchError } from '../command-handling/errors';

const CACHE_MS = 1_000;
const SYSTEM: Actor = { id: 'system', roles: ['admin'] };

export interface RevisedPolicy {
  readonly policy: PolicyInForce;
  readonly position: number;
}

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
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** A sensible default exists from the first start, recorded like any other revision. */
  async onModuleInit(): Promise<void> {
    const { version } = await this.refresh();
    if (version > 0) return;
    try {
      await this.append(
        DEFAULT_POLICY_RULES,
        'Initial policy: default rules installed on first start',
        { actor: SYSTEM, correlationId: this.ids.newId(), causationId: null },
        0,
      );
      this.logger.log('installed the default policy as version 1');
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    await this.refresh();
  }

  async current(): Promise<PolicyInForce> {
    if (Date.now() - this.cached.at > CACHE_MS) await this.refresh();
    return requireActivePolicy(this.cached.state);
  }

  async atVersion(version: number): Promise<PolicyInForce | null> {
    const events = await this.store.readStream(POLICY_STREAM, { toVersion: version });
    if (events.length < version || version < 1) return null;
    return requireActivePolicy(fold(initialPolicyState(), events));
  }

  /** The policy version that was in force at a moment; null before the first one. */
  async versionAt(at: Date): Promise<number | null> {
    // Verified: the answer depends on recorded times, which a changed row could move.
    const events = await this.store.readStream(POLICY_STREAM, { recordedUpTo: at, integrity: 'verify' });
    return events.length > 0 ? events[events.length - 1].version : null;
  }

  async revise(rules: PolicyRules, changeNote: string, context: CommandContext): Promise<RevisedPolicy> {
    const { version } = await this.refresh();
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      throw new VersionMismatchError(context.expectedVersion, version);
    }
    try {
      const position = await this.append(rules, changeNote, context, version);
      const refreshed = await this.refresh();
      return { policy: requireActivePolicy(refreshed.state), position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new VersionMismatchError(context.expectedVersion ?? version, error.actual);
      throw error;
    }
  }

  private async append(rules: PolicyRules, changeNote: string, context: CommandContext, expectedVersion: number): Promise<number> {
    const now = this.clock.now();
    const events = decidePolicy({ type: 'RevisePolicy', rules, changeNote, actor: context.actor, now }, this.cached.state);
    const result = await this.store.append(
      POLICY_STREAM,
      events.map((event) => ({
        eventId: this.ids.newId(),
        type: event.type,
        data: event.data as unknown as Record<string, unknown>,
        metadata: {
          actor: context.actor.id,
          occurredAt: now.toISOString(),
          correlationId: context.correlationId,
          causationId: context.causationId,
          ...traceMetadata(context),
        },
      })),
      { expectedVersion },
    );
    return result.events[result.events.length - 1].position;
  }

  private async refresh(): Promise<{ state: PolicyState; version: number }> {
    const fromVersion = this.cached.version + 1;
    const events = await this.store.readStream(POLICY_STREAM, { fromVersion });
    const state = fold(this.cached.state, events);
    const version = events.length > 0 ? events[events.length - 1].version : this.cached.version;
    this.cached = { state, version, at: Date.now() };
    return this.cached;
  }
}

const fold = (state: PolicyState, events: readonly RecordedEvent[]): PolicyState =>
  events
    .filter((event) => event.type === 'PolicyRevised')
    .reduce((s, event) => evolvePolicy(s, { type: 'PolicyRevised', data: event.data } as PolicyEvent), state);
