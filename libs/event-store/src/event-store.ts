/**
 * The event store port. Adapters: PostgreSQL/PGlite (one SQL implementation) and EventStoreDB.
 * Positions are numbers people can read; checkpoints are the adapter's opaque, ordered cursors
 * into the global log (on PostgreSQL a transaction id and a position, to close the late-commit gap).
 */
export type JsonObject = Record<string, unknown>;

export interface EventMetadata {
  readonly actor: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly [extension: string]: unknown;
}

/** Metadata as stored: the hash chain is added on append, on every adapter. */
export interface StoredEventMetadata extends EventMetadata {
  readonly prevHash: string;
  readonly hash: string;
}

export interface NewEvent {
  /** A UUID; appending an event id that is already stored has no second effect. */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion?: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

export type LogCheckpoint = string;

export interface RecordedEvent {
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for the first event of a stream; contiguous. */
  readonly version: number;
  /** Unique, increasing with time; the log order is the checkpoint order. */
  readonly position: number;
  readonly checkpoint: LogCheckpoint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: StoredEventMetadata;
  /** ISO-8601; microseconds appear only when the stored value has them (it never should). */
  readonly recordedAt: string;
  /** The store's own copy of metadata.occurredAt where it keeps one (an SQL column), for verification. */
  readonly storedOccurredAt?: string;
  /** Set by readers that go on past an event they could not fully read (see ReadStreamOptions.integrity). */
  readonly damage?: EventDamage;
}

/** What is wrong with a stored event: its chain, or a sealed field that no longer opens. */
export interface EventDamage {
  readonly reason: string;
  /** The sealed fields that failed to open (dotted paths), for unreadable_personal_data. */
  readonly fields?: readonly string[];
  readonly detail: string;
}

/** A stream version the caller saw (0: the stream must not exist yet), or 'any'. */
export type ExpectedVersion = number | 'any';

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append, to send as the next expected version. */
  readonly version: number;
  readonly events: readonly RecordedEvent[];
  /** True when every event id was already stored: nothing new was written. */
  readonly duplicate: boolean;
}

export interface ReadStreamOptions {
  readonly fromVersion?: number;
  readonly toVersion?: number;
  /** Only events recorded at or before this time: what the system knew then. */
  readonly recordedUpTo?: Date;
  /**
   * How a reader that opens sealed fields treats a damaged event. Default: a sealed field that does
   * not open fails the read with DamagedEventError. 'verify': the stream's hash chain is checked
   * first as well (the read must start at version 1). 'mark': nothing fails; damaged events come
   * back with `damage` set and the fields that did not open as null.
   */
  readonly integrity?: 'verify' | 'mark';
}

export interface ReadAllOptions {
  /** Read events after this checkpoint; null or absent from the start of the log. */
  readonly after?: LogCheckpoint | null;
  readonly limit: number;
  /** Only these event types (the checkpoint still moves past the others). */
  readonly types?: readonly string[];
  /** Only streams whose id starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllResult {
  readonly events: readonly RecordedEvent[];
  /**
   * Where to continue from. When fewer than `limit` events came back it is the head of the log
   * as this read saw it, so a filtered reader does not stay behind unmatched events.
   */
  readonly checkpoint: LogCheckpoint | null;
}

export interface LogHead {
  readonly checkpoint: LogCheckpoint | null;
  readonly position: number | null;
  readonly recordedAt: string | null;
}

/**
 * What the read horizon holds back: events committed to the log that catch-up readers do not
 * see yet, because a transaction that started before they committed is still open somewhere on
 * the server (the horizon, the oldest running transaction id, is server-wide).
 */
export interface LogHorizon {
  /** Committed events at or above the horizon. */
  readonly heldEvents: number;
  /** How long the oldest of them has waited, in seconds (from its recordedAt); 0 when none waits. */
  readonly heldSeconds: number;
  /** The oldest open transaction that has a transaction id, in any database of the server; null when none. */
  readonly oldestTransaction: {
    /** Backend process id (null for a prepared transaction). */
    readonly pid: number | null;
    readonly database: string | null;
    readonly applicationName: string | null;
    /** `active`, `idle in transaction`, … or `prepared`; null where the role may not see it (grant pg_read_all_stats). */
    readonly state: string | null;
    readonly startedAt: string | null;
    readonly ageSeconds: number | null;
  } | null;
}

/**
 * What every event store offers, whatever it does with personal fields. Functions that work on
 * either kind (catch-up, the adapter contract) take this; everything injected takes one of the two
 * kinds below, so a sealed log cannot be handed to code that expects readable personal data.
 */
export abstract class EventStoreOperations {
  abstract readonly name: string;
  /** Positions grow by one per event (PostgreSQL), so their difference counts events; byte offsets (EventStoreDB) do not. */
  abstract readonly positionsCountEvents: boolean;
  abstract append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  abstract readAll(options: ReadAllOptions): Promise<ReadAllResult>;
  /** The newest event a catch-up reader may safely see now. */
  abstract head(): Promise<LogHead>;
  /** The checkpoint of the event at a position, or null while it is unknown or not yet safely visible. */
  abstract checkpointAt(position: number): Promise<LogCheckpoint | null>;
  /** Orders two checkpoints of this store: negative, zero or positive. */
  abstract compareCheckpoints(a: LogCheckpoint | null, b: LogCheckpoint | null): number;
  /** Calls back after this process appended, so local catch-up readers need not wait for their poll. */
  abstract onAppended(listener: () => void): () => void;
  /** What holds readers back from the newest committed events, where a store has such a horizon (PostgreSQL). */
  abstract horizon?(now?: Date): Promise<LogHorizon | null>;
  abstract close(): Promise<void>;
}

/*
 * The two kinds are abstract classes rather than interfaces so that each is its own DI token:
 * a constructor parameter typed SealedEventLog is given the sealed log, one typed EventStore the
 * application's store, with no separate token to get wrong. `personalData` makes the two types
 * distinct to the compiler (they would otherwise be structurally the same).
 */

/** The adapter itself: events exactly as stored, personal fields sealed. For audit, verification and read models. */
export abstract class SealedEventLog extends EventStoreOperations {
  abstract readonly personalData: 'sealed';
}

/** The store the application uses: personal fields readable until erased (see PersonalDataProtectingEventStore). */
export abstract class EventStore extends EventStoreOperations {
  abstract readonly personalData: 'readable';
}
