import { Inject, Injectable } from '@nestjs/common';
import { EventStore, ReadStreamOptions, RecordedEvent, WrongExpectedVersionError } from '@refund-desk/event-store';
import { Clock, IdGenerator, Metrics } from '@refund-desk/platform';
import { CommandContext, traceMetadata } from './command-context';
import { VersionMismatchError } from '../errors/command-errors';

/** An event as a decider emits it. */
export interface DecidedEvent {
  readonly type: string;
  readonly data: object;
}

/**
 * What the command path needs to know about one kind of stream: its name, how to fold it, and
 * what each of its events carries besides its data. The decide step comes with each command.
 */
export interface StreamType<State, Event extends DecidedEvent> {
  readonly streamName: (id: string) => string;
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  /** The stored event as one this code folds; undefined for a type it does not know (skipped, never fatal). */
  readonly toEvent: (recorded: RecordedEvent) => Event | undefined;
  /** Whether the state is of a stream that exists; a command that does not create one is refused otherwise. */
  readonly exists: (state: State) => boolean;
  readonly notFound: (id: string) => Error;
  readonly schemaVersion?: number;
  /** Metadata of each event beyond who, when and why (e.g. the customer a case belongs to). */
  readonly metadata?: (state: State, event: Event) => Readonly<Record<string, unknown>>;
}

export type Decide<State, Event> = (state: State, now: Date) => readonly Event[] | Promise<readonly Event[]>;

/** How often a command that lost a race to another append is decided again on fresh state. */
export interface RetryPolicy {
  readonly attempts: number;
  /** A pause before the next attempt, so many writers that collided do not collide again at once. */
  readonly pause?: (attempt: number) => Promise<void>;
}

export const RETRY_ON_CONFLICT: RetryPolicy = { attempts: 3 };

export interface HandleOptions {
  /** The command may start a new stream. */
  readonly creates?: boolean;
  /**
   * Fixed event ids, so a retried request or a redelivered message appends nothing new: when
   * the stream already holds them, the command answers with what it recorded the first time.
   */
  readonly eventIds?: readonly string[];
  /**
   * The id was minted for this command, so its stream cannot exist yet and is not read first
   * (a round trip saved); the append at version 0 still guards it.
   */
  readonly freshStream?: boolean;
  readonly retry?: RetryPolicy;
}

export interface LoadedStream<State> {
  readonly state: State;
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

export interface AppendedEvent {
  readonly type: string;
  readonly version: number;
  readonly position: number;
}

export interface StreamCommandResult<State> {
  readonly version: number;
  readonly state: State;
  /** Global position of the last event appended: pass it as minPosition to read your own write. */
  readonly position: number | null;
  readonly events: readonly AppendedEvent[];
  /** True when the events were already recorded (a retried request): nothing new was written. */
  readonly duplicate: boolean;
}

/** The two calls of the event store the command path makes. */
export type StreamStore = Pick<EventStore, 'readStream' | 'append'>;

/**
 * The one command path for every stream: load, fold, decide, append with the version that was
 * read. A concurrent append is retried (a bounded number of times) unless the caller pinned the
 * version with If-Match, which then answers 412.
 */
@Injectable()
export class StreamCommandHandler {
  constructor(
    // Typed narrower than what is injected, so the class is named as the token.
    @Inject(EventStore) private readonly store: StreamStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly metrics: Metrics,
  ) {}

  async load<State, Event extends DecidedEvent>(
    type: StreamType<State, Event>,
    id: string,
    options?: ReadStreamOptions,
  ): Promise<LoadedStream<State>> {
    const events = await this.store.readStream(type.streamName(id), options);
    return { state: foldStream(type, events), version: events.length === 0 ? 0 : events[events.length - 1].version, events };
  }

  /** Runs one command, timed under its name in the command metrics. */
  async handle<State, Event extends DecidedEvent>(
    command: string,
    type: StreamType<State, Event>,
    id: string,
    context: CommandContext,
    decide: Decide<State, Event>,
    options: HandleOptions = {},
  ): Promise<StreamCommandResult<State>> {
    const stop = this.metrics.commands.startTimer({ command });
    try {
      const result = await this.attempt(type, id, context, decide, options);
      stop({ result: 'ok' });
      return result;
    } catch (error) {
      stop({ result: (error as { code?: string }).code ?? 'error' });
      throw error;
    }
  }

  private async attempt<State, Event extends DecidedEvent>(
    type: StreamType<State, Event>,
    id: string,
    context: CommandContext,
    decide: Decide<State, Event>,
    options: HandleOptions,
  ): Promise<StreamCommandResult<State>> {
    const retry = options.retry ?? RETRY_ON_CONFLICT;
    for (let attempt = 1; ; attempt++) {
      const { state, version, events: stored } =
        options.freshStream && attempt === 1 ? { state: type.initialState(), version: 0, events: [] } : await this.load(type, id);
      // Checked before anything else: the repeat of a command that succeeded must not be judged
      // against the state its own events produced (a second "refund issued" would be refused).
      const replayed = options.eventIds ? replay(type, stored, options.eventIds) : undefined;
      if (replayed) return replayed;
      if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
        throw new VersionMismatchError(context.expectedVersion, version);
      }
      if (!type.exists(state) && !options.creates) throw type.notFound(id);
      const now = this.clock.now();
      const events = await decide(state, now);
      // Nothing new to record (an idempotent command seen again): answer with the stream as it is.
      if (events.length === 0) return { version, state, position: null, events: [], duplicate: true };
      try {
        const appended = await this.store.append(
          type.streamName(id),
          events.map((event, i) => ({
            eventId: options.eventIds?.[i] ?? this.ids.newId(),
            type: event.type,
            ...(type.schemaVersion === undefined ? {} : { schemaVersion: type.schemaVersion }),
            data: { ...event.data },
            metadata: {
              actor: context.actor.id,
              occurredAt: now.toISOString(),
              correlationId: context.correlationId,
              causationId: context.causationId,
              ...type.metadata?.(state, event),
              ...traceMetadata(context),
            },
          })),
          { expectedVersion: version },
        );
        const newState = appended.duplicate ? (await this.load(type, id)).state : events.reduce(type.evolve, state);
        return result(newState, appended.events, appended.duplicate);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (context.expectedVersion !== undefined) throw new VersionMismatchError(context.expectedVersion, error.actual);
        if (attempt >= retry.attempts) throw error;
        await retry.pause?.(attempt);
      }
    }
  }
}

/** Folds stored events onto a state (the initial one by default); types the stream type does not know are skipped, never fatal. */
export function foldStream<State, Event extends DecidedEvent>(
  type: StreamType<State, Event>,
  events: readonly RecordedEvent[],
  from: State = type.initialState(),
): State {
  let state = from;
  for (const recorded of events) {
    const event = type.toEvent(recorded);
    if (event) state = type.evolve(state, event);
  }
  return state;
}

/** The first answer of a command whose fixed event ids are all in the stream; undefined when they are not. */
function replay<State, Event extends DecidedEvent>(
  type: StreamType<State, Event>,
  stream: readonly RecordedEvent[],
  eventIds: readonly string[],
): StreamCommandResult<State> | undefined {
  if (eventIds.length === 0) return undefined;
  const mine = stream.filter((event) => eventIds.includes(event.eventId));
  if (mine.length !== eventIds.length) return undefined;
  const last = mine[mine.length - 1].version;
  return result(foldStream(type, stream.filter((event) => event.version <= last)), mine, true);
}

function result<State>(state: State, events: readonly RecordedEvent[], duplicate: boolean): StreamCommandResult<State> {
  const last = events[events.length - 1];
  return {
    version: last.version,
    state,
    position: last.position,
    events: events.map((event) => ({ type: event.type, version: event.version, position: event.position })),
    duplicate,
  };
}
