import { Injectable } from '@nestjs/common';
import {
  CASE_EVENT_SCHEMA_VERSION,
  CaseEvent,
  CaseNotFoundError,
  caseStreamName,
  CaseState,
  evolve,
  ExistingCase,
  initialCaseState,
  isCaseEventType,
} from '@refund-desk/domain';
import { EventStore, ReadStreamOptions, RecordedEvent, WrongExpectedVersionError } from '@refund-desk/event-store';
import { Clock, IdGenerator, Metrics } from '@refund-desk/platform';
import { CommandContext, traceMetadata } from './command-context';
import { VersionMismatchError } from './errors';

export interface LoadedCase {
  readonly state: CaseState;
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

export interface CaseCommandResult {
  readonly caseId: string;
  readonly version: number;
  readonly state: ExistingCase;
  /** Global position of the last event appended: pass it as minPosition to read your own write. */
  readonly position: number | null;
  readonly events: ReadonlyArray<{ readonly type: string; readonly version: number; readonly position: number }>;
  /** True when the events were already recorded (a retried request): nothing new was written. */
  readonly duplicate: boolean;
}

export type DecideFn = (state: CaseState, now: Date) => CaseEvent[] | Promise<CaseEvent[]>;

export interface ExecuteOptions {
  /** The command may start a new stream (logging a request). */
  readonly creates?: boolean;
  /**
   * Fixed event ids, so a retried request or a redelivered message appends nothing new: when
   * the stream already holds them, the command answers with what it recorded the first time.
   */
  readonly eventIds?: readonly string[];
  /**
   * The case id was minted for this command, so its stream cannot exist yet and is not read
   * first (a round trip saved on every new request); the append at version 0 still guards it.
   */
  readonly freshId?: boolean;
  /**
   * What the command records depends only on the case existing and being open, not on what other
   * commands appended (a note): losing a race to another append changes nothing it decides, so
   * without If-Match it is re-decided on fresh state up to COMMUTING_ATTEMPTS times, not 3.
   */
  readonly commutes?: boolean;
}

const MAX_ATTEMPTS = 3;
/**
 * Each lost race means another command's append to the case succeeded in between, so a note
 * fails only when 49 other appends land on its case while it retries (with 32 writers on a case,
 * at most 31 can). The jittered pause spreads the retries of many writers.
 */
const COMMUTING_ATTEMPTS = 50;
const retryPause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));

const customerOf = (state: CaseState, event: CaseEvent): string | null =>
  state.status !== 'none' ? state.request.customer.id : event.type === 'RequestLogged' ? event.data.customer.id : null;

/** Folds the stored events of a case; types this code does not know are skipped, never fatal. */
export function foldRecorded(events: readonly RecordedEvent[]): CaseState {
  let state = initialCaseState();
  for (const event of events) {
    if (isCaseEventType(event.type)) state = evolve(state, { type: event.type, data: event.data } as CaseEvent);
  }
  return state;
}

/**
 * The one command path: load the stream, fold, decide, append with the version that was read.
 * A concurrent append is retried (a bounded number of times) unless the caller pinned the
 * version with If-Match, which then answers 412.
 */
@Injectable()
export class CaseRepository {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly metrics: Metrics,
  ) {}

  async load(caseId: string, options?: ReadStreamOptions): Promise<LoadedCase> {
    const events = await this.store.readStream(caseStreamName(caseId), options);
    return { state: foldRecorded(events), version: events.length === 0 ? 0 : events[events.length - 1].version, events };
  }

  async execute(
    command: string,
    caseId: string,
    context: CommandContext,
    decideFn: DecideFn,
    options: ExecuteOptions = {},
  ): Promise<CaseCommandResult> {
    const stop = this.metrics.commands.startTimer({ command });
    try {
      const result = await this.attempt(caseId, context, decideFn, options);
      stop({ result: 'ok' });
      return result;
    } catch (error) {
      stop({ result: (error as { code?: string }).code ?? 'error' });
      throw error;
    }
  }

  private async attempt(caseId: string, context: CommandContext, decideFn: DecideFn, options: ExecuteOptions): Promise<CaseCommandResult> {
    const streamId = caseStreamName(caseId);
    for (let attempt = 1; ; attempt++) {
      const { state, version, events: stored } =
        options.freshId && attempt === 1 ? { state: foldRecorded([]), version: 0, events: [] } : await this.load(caseId);
      // Checked before anything else: the repeat of a command that succeeded must not be judged
      // against the state its own events produced (a second "refund issued" would be refused).
      const replayed = options.eventIds ? this.replay(caseId, stored, options.eventIds) : undefined;
      if (replayed) return replayed;
      if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
        throw new VersionMismatchError(context.expectedVersion, version);
      }
      if (state.status === 'none' && !options.creates) throw new CaseNotFoundError(caseId);
      const now = this.clock.now();
      const events = await decideFn(state, now);
      if (events.length === 0) {
        // Nothing new to record (an idempotent command seen again): answer with the case as it is.
        return { caseId, version, state: state as ExistingCase, position: null, events: [], duplicate: true };
      }
      try {
        const appended = await this.store.append(
          streamId,
          events.map((event, i) => ({
            eventId: options.eventIds?.[i] ?? this.ids.newId(),
            type: event.type,
            schemaVersion: CASE_EVENT_SCHEMA_VERSION,
            data: event.data as unknown as Record<string, unknown>,
            metadata: {
              actor: context.actor.id,
              occurredAt: now.toISOString(),
              correlationId: context.correlationId,
              causationId: context.causationId,
              // Lets consumers group by customer, and picks the customer's key for personal data.
              customerId: customerOf(state, event),
              ...traceMetadata(context),
            },
          })),
          { expectedVersion: version },
        );
        const newState = appended.duplicate ? (await this.load(caseId)).state : events.reduce(evolve, state);
        return this.result(caseId, newState as ExistingCase, appended.events, appended.duplicate);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (context.expectedVersion !== undefined) throw new VersionMismatchError(context.expectedVersion, error.actual);
        if (attempt >= (options.commutes ? COMMUTING_ATTEMPTS : MAX_ATTEMPTS)) throw error;
        if (options.commutes) await retryPause(attempt);
      }
    }
  }

  /** The first answer of a command whose fixed event ids are all in the stream; undefined when they are not. */
  private replay(caseId: string, stream: readonly RecordedEvent[], eventIds: readonly string[]): CaseCommandResult | undefined {
    if (eventIds.length === 0) return undefined;
    const mine = stream.filter((event) => eventIds.includes(event.eventId));
    if (mine.length !== eventIds.length) return undefined;
    const last = mine[mine.length - 1].version;
    const stateThen = foldRecorded(stream.filter((event) => event.version <= last));
    return this.result(caseId, stateThen as ExistingCase, mine, true);
  }

  private result(caseId: string, state: ExistingCase, events: readonly RecordedEvent[], duplicate: boolean): CaseCommandResult {
    const last = events[events.length - 1];
    return {
      caseId,
      version: last.version,
      state,
      position: last.position,
      events: events.map((event) => ({ type: event.type, version: event.version, position: event.position })),
      duplicate,
    };
  }
}
