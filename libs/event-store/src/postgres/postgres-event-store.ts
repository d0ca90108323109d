import { EventEmitter } from 'node:events';
import { pgConstraint, pgErrorCode, PG_UNIQUE_VIOLATION, SqlDatabase } from '@refund-desk/database';
import { EventIdConflictError, InvalidCheckpointError, WrongExpectedVersionError } from '../errors';
import {
  AppendOptions,
  AppendResult,
  JsonObject,
  LogCheckpoint,
  LogHead,
  LogHorizon,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SealedEventLog,
  StoredEventMetadata,
} from '../event-store';
import { chainEvents, GENESIS_HASH, nextRecordedAt } from '../hash-chain';
import { StreamHeadCache } from '../stream-head-cache';
import { GroupCommit, GroupCommitOptions, Outcome } from './group-commit';

interface EventRow {
  global_position: number;
  tx: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: JsonObject;
  metadata: StoredEventMetadata;
  recorded_at: string;
  occurred_at: string;
}

interface AppendedRow {
  global_position: number;
  tx: string;
}

/** One append, chained and ready to insert. */
interface ChainedAppend {
  readonly streamId: string;
  readonly events: number;
  readonly chained: readonly ChainedEvent[];
  readonly recordedAt: string;
}

type ChainedEvent = ReturnType<typeof chainEvents>[number];

export interface PostgresEventStoreOptions {
  /** Group commit of appends that arrive together (see GroupCommit); the defaults suit both stores. */
  readonly groupCommit?: Partial<GroupCommitOptions>;
}

/**
 * Two batches on their way at once: while one waits for its commit the next fills, and neither
 * holds more than two of the pool's connections. PGlite has one connection: one batch.
 */
const DEFAULT_GROUP_COMMIT: Record<SqlDatabase['kind'], GroupCommitOptions> = {
  postgres: { maxInFlight: 2, maxBatchEvents: 500 },
  pglite: { maxInFlight: 1, maxBatchEvents: 500 },
};

/**
 * Times are read as text to the microsecond: the hash covers recorded_at as the application
 * wrote it (milliseconds), and a value changed below the millisecond must not look unchanged.
 */
const utcText = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${column}`;

const COLUMNS = `global_position, transaction_id::text AS tx, stream_id, stream_version, event_id::text AS event_id,
  event_type, schema_version, data, metadata, ${utcText('recorded_at')}, ${utcText('occurred_at')}`;

/** The names COLUMNS gives, to select them again from a subquery. */
const OUTPUT = 'global_position, tx, stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, occurred_at';

/** `2026-11-30T10:00:00.123000` → `2026-11-30T10:00:00.123Z`; sub-millisecond digits are kept when present. */
const isoFromText = (text: string): string => (text.endsWith('000') ? `${text.slice(0, -3)}Z` : `${text}Z`);

const SAFE_HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

const MAX_XID8 = 2n ** 64n - 1n;

const encode = (tx: string, position: number): LogCheckpoint => `${tx}:${position}`;

function decode(checkpoint: LogCheckpoint | null | undefined): [string, number] {
  if (!checkpoint) return ['0', 0];
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(checkpoint);
  // xid8 is an unsigned 64-bit number; positions are bigint, read as exact JavaScript numbers.
  if (!match || BigInt(match[1]) > MAX_XID8 || Number(match[2]) > Number.MAX_SAFE_INTEGER) {
    throw new InvalidCheckpointError(checkpoint, 'the PostgreSQL event store');
  }
  return [match[1], Number(match[2])];
}

const toRecorded = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: row.stream_version,
  position: row.global_position,
  checkpoint: encode(row.tx, row.global_position),
  type: row.event_type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  recordedAt: isoFromText(row.recorded_at),
  storedOccurredAt: isoFromText(row.occurred_at),
});

const settle = <R>(promise: Promise<R>): Promise<Outcome<R>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The event store on PostgreSQL or PGlite: the same SQL on both. */
export class PostgresEventStore implements SealedEventLog {
  readonly personalData = 'sealed';
  readonly name: string;
  readonly positionsCountEvents = true;
  private readonly appended = new EventEmitter();
  private readonly heads = new StreamHeadCache(50_000);
  private readonly groupCommit: GroupCommit<ChainedAppend, readonly AppendedRow[]>;

  constructor(
    private readonly db: SqlDatabase,
    options: PostgresEventStoreOptions = {},
  ) {
    this.name = db.kind;
    this.appended.setMaxListeners(0);
    this.groupCommit = new GroupCommit((batch) => this.insertBatch(batch), { ...DEFAULT_GROUP_COMMIT[db.kind], ...options.groupCommit });
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const { version: expected, hash: prevHash, recordedAt: prevRecordedAt } = await this.expectedHead(streamId, options.expectedVersion);
    if (prevHash === undefined) return this.replayOrConflict(streamId, events, expected);

    // The application fixes the recorded time so the hash can cover it; the row stores exactly it.
    const recordedAt = nextRecordedAt(prevRecordedAt);
    const chained = chainEvents(
      prevHash,
      events.map((event, i) => ({
        streamId,
        version: expected + i + 1,
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        data: event.data,
        metadata: event.metadata,
      })),
      recordedAt,
    );
    let rows: readonly AppendedRow[];
    try {
      rows = await this.groupCommit.submit({ streamId, events: chained.length, chained, recordedAt });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
        return this.replayOrConflict(streamId, events, expected, pgConstraint(error));
      }
      throw error;
    }
    if (rows.length !== chained.length) throw new Error(`append of ${chained.length} events stored ${rows.length}`);

    const recorded: RecordedEvent[] = chained.map((event, i) => ({
      eventId: event.eventId,
      streamId,
      version: event.version,
      position: rows[i].global_position,
      checkpoint: encode(rows[i].tx, rows[i].global_position),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      recordedAt,
      storedOccurredAt: event.metadata.occurredAt,
    }));
    const last = recorded[recorded.length - 1];
    this.heads.set(streamId, last.version, last.metadata.hash, recordedAt);
    this.appended.emit('appended');
    return { streamId, version: last.version, events: recorded, duplicate: false };
  }

  /**
   * Appends that left together: one statement, so one transaction and one commit for all. A
   * unique violation fails the whole statement and names one row only; then each append is
   * inserted alone and gets its own answer, so a conflict on one stream fails none of the others.
   */
  private async insertBatch(batch: readonly ChainedAppend[]): Promise<Outcome<readonly AppendedRow[]>[]> {
    if (batch.length === 1) return [await settle(this.insertAppend(batch[0]))];
    const events = batch.flatMap((append) => append.chained.map((event) => ({ event, recordedAt: append.recordedAt })));
    let rows: (AppendedRow & { stream_id: string })[];
    try {
      // The batch travels as one JSON document: arrays of JSON text would be escaped element by
      // element by the driver, which cost more than the rest of the batch's work in Node.
      ({ rows } = await this.db.query<AppendedRow & { stream_id: string }>(
        `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at, recorded_at)
         SELECT e.s, e.v, e.id, e.t, e.sv, e.d, e.m, e.o, e.r
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                  AS (s text, v int, id uuid, t text, sv smallint, d jsonb, m jsonb, o timestamptz, r timestamptz))
                WITH ORDINALITY AS e(s, v, id, t, sv, d, m, o, r, n)
          ORDER BY e.n
         RETURNING global_position, transaction_id::text AS tx, stream_id`,
        [
          JSON.stringify(
            events.map(({ event, recordedAt }) => ({
              s: event.streamId,
              v: event.version,
              id: event.eventId,
              t: event.type,
              sv: event.schemaVersion,
              d: event.data,
              m: event.metadata,
              o: event.metadata.occurredAt,
              r: recordedAt,
            })),
          ),
        ],
        { name: 'events_append_batch' },
      ));
    } catch (error) {
      if (pgErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error;
      return Promise.all(batch.map((append) => settle(this.insertAppend(append))));
    }
    // Positions come from one sequence in insertion order, and each stream appears once in a batch.
    rows.sort((a, b) => a.global_position - b.global_position);
    const byStream = new Map<string, AppendedRow[]>();
    for (const row of rows) {
      const own = byStream.get(row.stream_id);
      if (own) own.push(row);
      else byStream.set(row.stream_id, [row]);
    }
    return batch.map((append) => ({ ok: true, value: byStream.get(append.streamId) ?? [] }));
  }

  /**
   * One append in one statement: all its events or none. A stored event id or a taken version
   * fails it on the unique constraints, and the caller tells a replay from a conflict. What was
   * sent is not read back: parsing our own JSON again cost more than the insert itself.
   */
  private async insertAppend({ streamId, chained, recordedAt }: ChainedAppend): Promise<readonly AppendedRow[]> {
    const { rows } =
      chained.length === 1
        ? await this.db.query<AppendedRow>(
            `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING global_position, transaction_id::text AS tx`,
            [
              streamId,
              chained[0].version,
              chained[0].eventId,
              chained[0].type,
              chained[0].schemaVersion,
              JSON.stringify(chained[0].data),
              JSON.stringify(chained[0].metadata),
              chained[0].metadata.occurredAt,
              recordedAt,
            ],
            { name: 'events_append_one' },
          )
        : await this.db.query<AppendedRow>(
            `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at, recorded_at)
             SELECT $1, v, id, t, sv, d, m, o, $9::timestamptz
               FROM unnest($2::int[], $3::uuid[], $4::text[], $5::smallint[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])
                 AS e(v, id, t, sv, d, m, o)
              ORDER BY v
             RETURNING global_position, transaction_id::text AS tx`,
            [
              streamId,
              chained.map((e) => e.version),
              chained.map((e) => e.eventId),
              chained.map((e) => e.type),
              chained.map((e) => e.schemaVersion),
              chained.map((e) => JSON.stringify(e.data)),
              chained.map((e) => JSON.stringify(e.metadata)),
              chained.map((e) => e.metadata.occurredAt),
              recordedAt,
            ],
            { name: 'events_append' },
          );
    return rows.sort((a, b) => a.global_position - b.global_position);
  }

  /**
   * The version to append after, the hash to chain from and the recorded time not to go below;
   * hash undefined when that version is not the head.
   */
  private async expectedHead(
    streamId: string,
    expectedVersion: AppendOptions['expectedVersion'],
  ): Promise<{ version: number; hash: string | undefined; recordedAt: string | null }> {
    if (expectedVersion === 'any') {
      const { rows } = await this.db.query<{ v: number; h: string; r: Date }>(
        `SELECT stream_version AS v, metadata->>'hash' AS h, recorded_at AS r FROM events WHERE stream_id = $1
          ORDER BY stream_version DESC LIMIT 1`,
        [streamId],
      );
      return rows.length === 0
        ? { version: 0, hash: GENESIS_HASH, recordedAt: null }
        : { version: rows[0].v, hash: rows[0].h, recordedAt: rows[0].r.toISOString() };
    }
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new Error(`expected version must be 'any' or a whole number ≥ 0, got ${expectedVersion}`);
    }
    if (expectedVersion === 0) return { version: 0, hash: GENESIS_HASH, recordedAt: null };
    const cached = this.heads.headAt(streamId, expectedVersion);
    if (cached) return { version: expectedVersion, ...cached };
    const { rows } = await this.db.query<{ h: string; r: Date; newer: boolean }>(
      `SELECT metadata->>'hash' AS h, recorded_at AS r,
              EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND stream_version = $2 + 1) AS newer
         FROM events WHERE stream_id = $1 AND stream_version = $2`,
      [streamId, expectedVersion],
    );
    if (rows.length === 0 || rows[0].newer) return { version: expectedVersion, hash: undefined, recordedAt: null };
    return { version: expectedVersion, hash: rows[0].h, recordedAt: rows[0].r.toISOString() };
  }

  /** After a refused insert: the same events already stored is success; anything else is a conflict. */
  private async replayOrConflict(
    streamId: string,
    events: readonly NewEvent[],
    expected: number,
    constraint?: string,
  ): Promise<AppendResult> {
    const ids = events.map((event) => event.eventId);
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position`,
      [ids],
    );
    if (rows.length === ids.length && rows.every((row) => row.stream_id === streamId)) {
      const recorded = rows.map(toRecorded);
      return { streamId, version: recorded[recorded.length - 1].version, events: recorded, duplicate: true };
    }
    if (rows.length > 0 && constraint !== 'events_stream_version_key') {
      throw new EventIdConflictError(streamId, rows.map((row) => row.event_id));
    }
    throw new WrongExpectedVersionError(streamId, expected, await this.streamVersion(streamId));
  }

  private async streamVersion(streamId: string): Promise<number> {
    const { rows } = await this.db.query<{ v: number | null }>(
      'SELECT max(stream_version) AS v FROM events WHERE stream_id = $1',
      [streamId],
    );
    return rows[0]?.v ?? 0;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
          AND ($4::timestamptz IS NULL OR recorded_at <= $4::timestamptz)
        ORDER BY stream_version`,
      [streamId, options.fromVersion ?? 1, options.toVersion ?? 2_147_483_647, options.recordedUpTo?.toISOString() ?? null],
      { name: 'events_read_stream' },
    );
    const recorded = rows.map(toRecorded);
    const last = recorded[recorded.length - 1];
    if (last && options.toVersion === undefined && options.recordedUpTo === undefined) {
      this.heads.set(streamId, last.version, last.metadata.hash, last.recordedAt);
    }
    return recorded;
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const [tx, position] = decode(options.after);
    const limit = Math.max(1, Math.floor(options.limit));
    const prefixes = options.streamPrefixes?.map(likePrefix) ?? null;
    // One statement, one snapshot: the page and the head it reports are seen at the same moment.
    // The horizon cuts the page after its limit: the same rows (those below it come first in log
    // order), but nothing the planner must guess. With it inside, on a table not yet analyzed
    // (after a bulk load), the guess made it sort every later event of the log for each page.
    const { rows } = await this.db.query<EventRow & { is_head: boolean }>(
      `WITH horizon AS MATERIALIZED (SELECT ${SAFE_HORIZON} AS xmin),
       page AS (
         SELECT ${COLUMNS}, transaction_id AS xid FROM events
          WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
            AND ($3::text[] IS NULL OR event_type = ANY($3::text[]))
            AND ($4::text[] IS NULL OR stream_id LIKE ANY($4::text[]))
          ORDER BY transaction_id, global_position
          LIMIT $5),
       head AS (
         SELECT ${COLUMNS} FROM events
          WHERE transaction_id < (SELECT xmin FROM horizon)
          ORDER BY transaction_id DESC, global_position DESC
          LIMIT 1)
       SELECT ${OUTPUT}, false AS is_head FROM page WHERE xid < (SELECT xmin FROM horizon)
       UNION ALL SELECT ${OUTPUT}, true AS is_head FROM head`,
      [tx, position, options.types ?? null, prefixes, limit],
      { name: 'events_read_all' },
    );
    const page = rows
      .filter((row) => !row.is_head)
      .map(toRecorded)
      .sort((a, b) => this.compareCheckpoints(a.checkpoint, b.checkpoint));
    const headRow = rows.find((row) => row.is_head);
    let checkpoint = page.length > 0 ? page[page.length - 1].checkpoint : (options.after ?? null);
    if (page.length < limit && headRow) {
      const head = encode(headRow.tx, headRow.global_position);
      if (this.compareCheckpoints(head, checkpoint) > 0) checkpoint = head;
    }
    return { events: page, checkpoint };
  }

  async head(): Promise<LogHead> {
    const { rows } = await this.db.query<{ tx: string; global_position: number; recorded_at: Date }>(
      `SELECT transaction_id::text AS tx, global_position, recorded_at FROM events
        WHERE transaction_id < ${SAFE_HORIZON}
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? { checkpoint: encode(row.tx, row.global_position), position: row.global_position, recordedAt: row.recorded_at.toISOString() }
      : { checkpoint: null, position: null, recordedAt: null };
  }

  /**
   * Counts the committed events readers cannot see yet and names the transaction that holds them.
   * Only a transaction with an id (one that wrote, in any database of the server) moves the
   * horizon; a read-only one does not. On PGlite nothing else shares the server: null.
   */
  async horizon(now: Date = new Date()): Promise<LogHorizon | null> {
    if (this.db.kind !== 'postgres') return null;
    const { rows } = await this.db.query<{
      held: number;
      oldest: Date | null;
      pid: number | null;
      datname: string | null;
      application_name: string | null;
      state: string | null;
      xact_start: Date | null;
      found: boolean;
    }>(
      `WITH horizon AS MATERIALIZED (SELECT ${SAFE_HORIZON} AS xmin),
       held AS (SELECT count(*)::int AS held, min(recorded_at) AS oldest FROM events WHERE transaction_id >= (SELECT xmin FROM horizon)),
       holder AS (
         SELECT pid, datname::text, application_name, state, xact_start, age(backend_xid) AS xid_age
           FROM pg_stat_activity WHERE backend_xid IS NOT NULL
         UNION ALL
         SELECT NULL, database::text, 'prepared transaction ' || gid, 'prepared', prepared, age(transaction)
           FROM pg_prepared_xacts
         ORDER BY xid_age DESC
         LIMIT 1)
       SELECT held.held, held.oldest, holder.pid, holder.datname, holder.application_name, holder.state, holder.xact_start,
              holder.xid_age IS NOT NULL AS found
         FROM held LEFT JOIN holder ON true`,
      [],
      { name: 'events_horizon' },
    );
    const row = rows[0];
    const seconds = (since: Date | null): number | null => (since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : null);
    return {
      heldEvents: row?.held ?? 0,
      heldSeconds: seconds(row?.oldest ?? null) ?? 0,
      oldestTransaction: row?.found
        ? {
            pid: row.pid,
            database: row.datname,
            applicationName: row.application_name,
            state: row.state,
            startedAt: row.xact_start?.toISOString() ?? null,
            ageSeconds: seconds(row.xact_start),
          }
        : null,
    };
  }

  async checkpointAt(position: number): Promise<LogCheckpoint | null> {
    const { rows } = await this.db.query<{ tx: string }>(
      `SELECT transaction_id::text AS tx FROM events WHERE global_position = $1 AND transaction_id < ${SAFE_HORIZON}`,
      [position],
    );
    return rows[0] ? encode(rows[0].tx, position) : null;
  }

  compareCheckpoints(a: LogCheckpoint | null, b: LogCheckpoint | null): number {
    const [ta, pa] = decode(a);
    const [tb, pb] = decode(b);
    const byTx = BigInt(ta) - BigInt(tb);
    if (byTx !== 0n) return byTx < 0n ? -1 : 1;
    return pa - pb;
  }

  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
  }
}
