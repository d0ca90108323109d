import { EventEmitter } from 'node:events';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError as ClientWrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Position,
  type ReadPosition,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import { EventIdConflictError, EventStoreUnavailableError, WrongExpectedVersionError } from '../errors';
import {
  AppendOptions,
  AppendResult,
  JsonObject,
  LogCheckpoint,
  LogHead,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SealedEventLog,
  StoredEventMetadata,
} from '../event-store';
import { chainEvents, GENESIS_HASH, nextRecordedAt } from '../hash-chain';
import { CatchUpSubscriptionOptions, runCatchUpSubscription } from './catch-up-subscription';
import { connectEventStoreDb, toStoreError } from './connection';
import {
  compareCheckpoints,
  comparePositions,
  decodeCheckpoint,
  encodeCheckpoint,
  laterCheckpoint,
  toPositionNumber,
} from './log-position';
import { matchesPrefix, narrowPrefixes } from './stream-prefixes';

export interface EventStoreDbOptions {
  /** Prefixes of the streams this store owns (e.g. `refundCase-`); `$all` reads and the head see only these. */
  readonly streamPrefixes: readonly string[];
  /** A `$all` read that hears nothing from the server for this long fails as unavailable. */
  readonly readIdleTimeoutMs?: number;
}

/** ESDB keeps no schema version of its own: it travels in the event's metadata under this key. */
const SCHEMA_VERSION_KEY = '$schemaVersion';
/**
 * The recorded time the hash covers (rule 2) travels in the metadata under this key and is the
 * event's recordedAt; the node's own `created` stamp cannot be known before the append, so it is
 * neither hashed nor used by answers (events hashed under rule 1 still answer with it).
 */
const RECORDED_AT_KEY = '$recordedAt';
const HEAD_PAGE = 64;
const ANY_VERSION_ATTEMPTS = 3;

/**
 * Reads are bounded by their count and always consumed to the end: a read left half-way keeps
 * its gRPC call open, and the client's dispose() then waits for it forever.
 */
async function readToEnd<T>(reading: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of reading) all.push(item);
  return all;
}

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/**
 * The event store on EventStoreDB/KurrentDB: one stream per case, the stream revision (0-based)
 * is the version minus one, and positions are `$all` commit positions. The hash chain and the
 * event metadata travel in each event's custom metadata.
 */
export class EventStoreDbEventStore implements SealedEventLog {
  readonly personalData = 'sealed';
  readonly name = 'eventstoredb';
  readonly positionsCountEvents = false;
  private readonly appended = new EventEmitter();
  private readonly categories: readonly string[];
  private readonly readIdleTimeoutMs: number;
  /** The newest category event found, and the newest `$all` position already scanned for one. */
  private knownHead: { event: RecordedEvent | null; scannedTo: Position | null } = { event: null, scannedTo: null };

  static connect(url: string, options: EventStoreDbOptions): EventStoreDbEventStore {
    return new EventStoreDbEventStore(connectEventStoreDb(url), options);
  }

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbOptions,
  ) {
    if (options.streamPrefixes.length === 0 || options.streamPrefixes.some((prefix) => prefix.length === 0)) {
      throw new Error('EventStoreDbEventStore needs non-empty stream prefixes to tell its streams from the rest of $all');
    }
    this.categories = [...options.streamPrefixes];
    this.readIdleTimeoutMs = options.readIdleTimeoutMs ?? 10_000;
    this.appended.setMaxListeners(0);
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const { expectedVersion } = options;
    if (expectedVersion !== 'any' && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
      throw new Error(`expected version must be 'any' or a whole number ≥ 0, got ${expectedVersion}`);
    }
    const attempts = expectedVersion === 'any' ? ANY_VERSION_ATTEMPTS : 1;
    // ESDB dedupes only a repeat at the same expected revision; reading the stream first also
    // catches ids stored elsewhere in it, and gives the hash to chain from.
    let stored = await this.readStream(streamId);
    for (let attempt = 1; ; attempt++) {
      const replay = this.replayOrConflict(streamId, stored, events);
      if (replay) return replay;
      const current = stored.length === 0 ? 0 : stored[stored.length - 1].version;
      if (expectedVersion !== 'any' && expectedVersion !== current) {
        throw new WrongExpectedVersionError(streamId, expectedVersion, current);
      }
      const prevHash = current === 0 ? GENESIS_HASH : stored[stored.length - 1].metadata.hash;
      if (typeof prevHash !== 'string') throw new Error(`Stream ${streamId} has an event without a hash at version ${current}`);

      let written: { position?: Position };
      try {
        const recordedAt = nextRecordedAt(current === 0 ? null : stored[stored.length - 1].recordedAt);
        written = await this.client.appendToStream(streamId, this.toEventData(streamId, current, prevHash, recordedAt, events), {
          // 'any' becomes the revision just read, so the chain cannot fork under a concurrent append.
          expectedRevision: current === 0 ? NO_STREAM : BigInt(current - 1),
        });
      } catch (error) {
        if (!(error instanceof ClientWrongExpectedVersionError)) throw toStoreError(error, `append to ${streamId}`);
        stored = await this.readStream(streamId);
        const concurrent = this.replayOrConflict(streamId, stored, events);
        if (concurrent) return concurrent;
        if (attempt < attempts) continue;
        throw new WrongExpectedVersionError(streamId, expectedVersion, stored.length === 0 ? 0 : stored[stored.length - 1].version);
      }

      const recorded = await this.readStream(streamId, { fromVersion: current + 1, toVersion: current + events.length });
      if (recorded.length !== events.length || recorded.some((event, i) => event.eventId !== events[i].eventId)) {
        throw new Error(`Stream ${streamId} does not hold the events just appended at versions ${current + 1}…`);
      }
      // A repeat the server deduplicated itself (a racing retry at the same revision) reports no position.
      const duplicate = written.position === undefined;
      if (!duplicate) this.appended.emit('appended');
      return { streamId, version: recorded[recorded.length - 1].version, events: recorded, duplicate };
    }
  }

  /** The same events already stored is a replay; some of them stored is a caller bug. */
  private replayOrConflict(streamId: string, stored: readonly RecordedEvent[], events: readonly NewEvent[]): AppendResult | null {
    const ids = new Set(events.map((event) => event.eventId));
    const found = stored.filter((event) => ids.has(event.eventId));
    if (found.length === 0) return null;
    if (found.length === events.length && found.every((event, i) => event.eventId === events[i].eventId)) {
      return { streamId, version: found[found.length - 1].version, events: found, duplicate: true };
    }
    throw new EventIdConflictError(streamId, found.map((event) => event.eventId));
  }

  private toEventData(streamId: string, current: number, prevHash: string, recordedAt: string, events: readonly NewEvent[]) {
    const chained = chainEvents(
      prevHash,
      events.map((event, i) => ({
        streamId,
        version: current + i + 1,
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        data: event.data,
        metadata: event.metadata,
      })),
      recordedAt,
    );
    return chained.map((event) =>
      jsonEvent({
        id: event.eventId,
        type: event.type,
        data: event.data as Parameters<typeof jsonEvent>[0]['data'],
        metadata: { ...event.metadata, [SCHEMA_VERSION_KEY]: event.schemaVersion, [RECORDED_AT_KEY]: recordedAt },
      }),
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromVersion = Math.max(1, options.fromVersion ?? 1);
    const toVersion = options.toVersion ?? Number.MAX_SAFE_INTEGER;
    if (toVersion < fromVersion) return [];
    const events: RecordedEvent[] = [];
    try {
      const reading = this.client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: BigInt(fromVersion - 1),
        maxCount: toVersion === Number.MAX_SAFE_INTEGER ? toVersion : toVersion - fromVersion + 1,
      });
      for (const resolved of await readToEnd(reading)) events.push(this.toRecorded(resolved.event));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error, `read of ${streamId}`);
    }
    const upTo = options.recordedUpTo?.getTime();
    // Every event is checked, not only the tail: rule-1 events carry the server's `created`, which can step back.
    return upTo === undefined ? events : events.filter((event) => Date.parse(event.recordedAt) <= upTo);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const limit = Math.max(1, Math.floor(options.limit));
    const after = options.after ?? null;
    const from = after === null ? null : decodeCheckpoint(after);
    // Read before the page: every category event up to it is delivered to the subscription below.
    const head = await this.findHead();
    const prefixes = narrowPrefixes(this.categories, options.streamPrefixes);
    if (head === null || compareCheckpoints(head.checkpoint, after) <= 0 || prefixes.length === 0) {
      return { events: [], checkpoint: laterCheckpoint(after, head?.checkpoint) };
    }
    const page = await this.readFiltered(from, prefixes, options.types ? new Set(options.types) : null, limit, head);
    const checkpoint =
      page.events.length >= limit
        ? page.events[page.events.length - 1].checkpoint
        : laterCheckpoint(after, page.scanned, head.checkpoint);
    return { events: page.events, checkpoint };
  }

  /**
   * One page of `$all` after `from`, filtered on the server by stream prefix. @eventstore/db-client
   * has no filtered read, so this is a catch-up subscription closed once the page is full, the
   * head read before it has gone by, or the server says it caught up (KurrentDB/ESDB 23.10+).
   */
  private readFiltered(
    from: Position | null,
    prefixes: string[],
    types: ReadonlySet<string> | null,
    limit: number,
    head: RecordedEvent,
  ): Promise<{ events: RecordedEvent[]; scanned: LogCheckpoint | null }> {
    return new Promise((resolve, reject) => {
      const events: RecordedEvent[] = [];
      let scanned: LogCheckpoint | null = null;
      let caughtUp = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void subscription.unsubscribe().catch(() => undefined);
        if (error) reject(toStoreError(error, 'read of $all'));
        else resolve({ events, scanned });
      };
      const idle = (): void => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            finish(
              new EventStoreUnavailableError(
                `EventStoreDB sent nothing for ${this.readIdleTimeoutMs} ms while reading $all (a server before 23.10 never reports catching up)`,
              ),
            ),
          this.readIdleTimeoutMs,
        );
      };
      const subscription = this.client.subscribeToAll({
        fromPosition: from ?? START,
        filter: streamNameFilter({ prefixes, checkpointReached: idle }),
      });
      idle();
      // Events the stream still buffers were sent before the caught-up notice: wait for them.
      const drained = (): boolean => caughtUp && subscription.readableLength === 0;
      subscription.on('data', (resolved) => {
        if (settled) return;
        idle();
        try {
          const event = this.toRecorded(resolved.event);
          scanned = event.checkpoint;
          if (!types || types.has(event.type)) events.push(event);
          if (events.length >= limit || compareCheckpoints(event.checkpoint, head.checkpoint) >= 0 || drained()) finish();
        } catch (error) {
          finish(error);
        }
      });
      subscription.on('caughtUp', () => {
        caughtUp = true;
        if (drained()) finish();
      });
      subscription.on('error', finish);
      subscription.on('end', () => finish(new EventStoreUnavailableError('EventStoreDB ended a $all read before it caught up')));
    });
  }

  async head(): Promise<LogHead> {
    const head = await this.findHead();
    return head
      ? { checkpoint: head.checkpoint, position: head.position, recordedAt: head.recordedAt }
      : { checkpoint: null, position: null, recordedAt: null };
  }

  /**
   * The newest event of the store's streams, read backwards from the end of `$all` (the client
   * has no filtered backward read). Only what was appended since the previous call is scanned,
   * so system events and other applications' streams cost one pass each.
   */
  private async findHead(): Promise<RecordedEvent | null> {
    const known = this.knownHead;
    let from: ReadPosition = END;
    let newest: Position | null = null;
    let found: RecordedEvent | null;
    try {
      scan: for (;;) {
        const page: AllStreamResolvedEvent[] = await readToEnd(this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE }));
        let oldest: Position | null = null;
        for (const { event } of page) {
          if (!event?.position) continue;
          if (from !== END && comparePositions(event.position, from) >= 0) continue;
          newest ??= event.position;
          oldest = event.position;
          if (known.scannedTo && comparePositions(event.position, known.scannedTo) <= 0) {
            found = known.event;
            break scan;
          }
          if (matchesPrefix(event.streamId, this.categories)) {
            found = this.toRecorded(event);
            break scan;
          }
        }
        if (page.length < HEAD_PAGE || oldest === null) {
          found = known.scannedTo ? known.event : null;
          break;
        }
        from = oldest;
      }
    } catch (error) {
      throw toStoreError(error, 'read of the $all head');
    }
    this.remember(found, newest);
    return found;
  }

  private remember(event: RecordedEvent | null, scannedTo: Position | null): void {
    const current = this.knownHead;
    const laterScan = scannedTo !== null && (current.scannedTo === null || comparePositions(scannedTo, current.scannedTo) > 0);
    const laterEvent = event !== null && compareCheckpoints(event.checkpoint, current.event?.checkpoint ?? null) > 0;
    if (!laterScan && !laterEvent) return;
    this.knownHead = {
      event: laterEvent ? event : current.event,
      scannedTo: laterScan ? scannedTo : current.scannedTo,
    };
  }

  async checkpointAt(position: number): Promise<LogCheckpoint | null> {
    if (!Number.isSafeInteger(position) || position < 0) return null;
    const head = await this.findHead();
    if (head === null || position > head.position) return null;
    const at = { commit: BigInt(position), prepare: BigInt(position) };
    try {
      const [found] = await readToEnd(this.client.readAll({ direction: FORWARDS, fromPosition: at, maxCount: 1 }));
      const event = found?.event;
      const exact = event?.position !== undefined && event.position.commit === at.commit;
      return exact && matchesPrefix(event.streamId, this.categories) ? encodeCheckpoint(event.position!) : null;
    } catch (error) {
      throw toStoreError(error, `read of $all at ${position}`);
    }
  }

  compareCheckpoints(a: LogCheckpoint | null, b: LogCheckpoint | null): number {
    return compareCheckpoints(a, b);
  }

  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  /**
   * A live catch-up subscription to the store's streams from a checkpoint: each event is handed
   * over once, in log order, and after a dropped connection it resubscribes from the last
   * checkpoint it handed over. Runs until the signal aborts.
   */
  subscribeToLog(options: CatchUpSubscriptionOptions, signal: AbortSignal): Promise<void> {
    const prefixes = narrowPrefixes(this.categories, options.streamPrefixes);
    if (prefixes.length === 0) {
      return Promise.reject(new Error(`None of ${options.streamPrefixes?.join(', ')} lies within ${this.categories.join(', ')}`));
    }
    return runCatchUpSubscription(
      {
        open: (from, onCheckpoint) =>
          this.client.subscribeToAll({
            fromPosition: from === null ? START : decodeCheckpoint(from),
            filter: streamNameFilter({ prefixes, checkpointReached: (_subscription, position) => onCheckpoint(encodeCheckpoint(position)) }),
          }),
        toRecorded: (event) => this.toRecorded(event),
      },
      options,
      signal,
    );
  }

  private toRecorded(event: ClientRecordedEvent | undefined): RecordedEvent {
    if (!event) throw new Error('EventStoreDB answered a read without an event');
    if (!event.position) {
      throw new Error(`EventStoreDB sent ${event.streamId}@${event.revision} without its $all position (KurrentDB/ESDB 22.6+ sends it)`);
    }
    if (!event.isJson || !isJsonObject(event.data)) throw new Error(`Event ${event.id} of ${event.streamId} is not a JSON object`);
    const {
      [SCHEMA_VERSION_KEY]: schemaVersion,
      [RECORDED_AT_KEY]: recordedAt,
      ...metadata
    } = isJsonObject(event.metadata) ? event.metadata : {};
    return {
      eventId: event.id,
      streamId: event.streamId,
      version: Number(event.revision) + 1,
      position: toPositionNumber(event.position),
      checkpoint: encodeCheckpoint(event.position),
      type: event.type,
      schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
      data: event.data,
      metadata: metadata as unknown as StoredEventMetadata,
      recordedAt: typeof recordedAt === 'string' ? recordedAt : event.created.toISOString(),
    };
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
    await this.client.dispose();
  }
}
