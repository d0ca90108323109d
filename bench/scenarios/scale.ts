import { randomBytes } from 'node:crypto';
import { CaseEvent, caseStreamName, evolve, initialCaseState, POLICY_STREAM } from '@refund-desk/domain';
import { migrate, PostgresDatabase } from '@refund-desk/database';
import { chainEvents, EVENT_LOG_MIGRATIONS, GENESIS_HASH, PostgresEventStore } from '@refund-desk/event-store';
import {
  CustomerHistoryQuery,
  CustomerTimelineQuery,
  DueDeadlinesQuery,
  FollowUpQueueQuery,
  InsightsQuery,
  ManagerQueueQuery,
  ProjectionRunner,
  READ_MODELS,
  rebuildReadModels,
  TrendsQuery,
} from '@refund-desk/read-models';
import { prepareReadModels, tableNames } from '@refund-desk/read-models/testing';
import { generateLog, seededRandom } from '../../test/support/generated-log';
import { Progress, say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';
import { LatencySummary, msSince, perSecond, summarize } from '../support/stats';

/**
 * The event log at scale (issue 15): the same measurements on a small store and on one filled
 * with millions of events, side by side. The log is written in bulk (multi-row INSERTs of
 * generated, hash-chained cases, a whole case per stream as one append would write it), not
 * through commands: ten million commands would take hours here, and the measured paths only
 * need the rows, the indexes and their size.
 */
export interface ScaleCell {
  readonly scenario: 'scale';
  readonly store: 'postgres';
  readonly events: number;
  readonly cases: number;
  readonly fillSeconds: number;
  readonly fillEventsPerSecond: number;
  /** One event per append, as a command writes: on streams created during the run, then growing them. */
  readonly append1Writer: LatencySummary & { readonly perSecond: number };
  readonly append8Writers: LatencySummary & { readonly perSecond: number };
  /** readStream + fold of an existing case, picked at random over the whole log (cold and warm pages alike). */
  readonly caseLoad: LatencySummary;
  /** Every read model from position zero (the rebuild pipeline the projector also catches up with). */
  readonly catchUpSeconds: number;
  readonly catchUpEventsPerSecond: number;
  readonly queries: Readonly<Record<string, LatencySummary>>;
  readonly storage: Storage;
}

interface RelationSize {
  readonly name: string;
  readonly mib: number;
  /** Index: leaf pages' fill (btree; 90 when freshly built in order). Table: free space %. */
  readonly density?: number | null;
  readonly deadTuplePercent?: number | null;
}

interface Storage {
  readonly eventsTableMiB: number;
  readonly bytesPerEvent: number;
  readonly relations: readonly RelationSize[];
  readonly readModelsMiB: number;
  readonly databaseMiB: number;
}

const CASES_PER_CHUNK = 20_000;
/** Events generated (and hash-chained) in JavaScript; beyond it the log is copies of them. */
const BASE_EVENTS = 250_000;
const ROWS_PER_INSERT = 2_000;
const WRITERS = 3;

const MiB = (bytes: number | string): number => Number((Number(bytes) / 2 ** 20).toFixed(1));

/** What was written, and how to pick an existing case or customer of it at random. */
interface FilledLog {
  readonly events: number;
  readonly cases: number;
  pickCase(random: () => number): string;
  pickCustomer(random: () => number): string;
}

/**
 * Writes generated cases straight into the events table, hash-chained as the store chains them,
 * up to BASE_EVENTS; a larger log is made of copies of that base, renamed in SQL (case, stream and
 * customer ids), a copy per transaction. The copies' hash chains do not verify (the hash covers
 * the ids): nothing measured here checks them, and generating every event in JavaScript would
 * take most of an hour at ten million.
 */
async function bulkFill(db: PostgresDatabase, store: PostgresEventStore, events: number, label: string): Promise<FilledLog> {
  const progress = new Progress(`${label}: filling the log (events)`, events);
  const base = Math.min(events, BASE_EVENTS);
  let written = 0;
  let cases = 0;
  let chunks = 0;
  let casesInLastChunk = 0;
  for (let chunk = 0; written < base; chunk++) {
    const log = generateLog({ cases: Math.min(CASES_PER_CHUNK, Math.ceil((base - written) / 5.3)), seed: chunk + 1, customerPrefix: `${chunk}_` });
    const [policy, ...streams] = log.streams;
    if (chunk === 0) {
      await store.append(POLICY_STREAM, policy.events, { expectedVersion: 0 });
      written += policy.events.length;
    }
    const rows: unknown[][] = [];
    const recordedAt = new Date().toISOString();
    for (const stream of streams) {
      const chained = chainEvents(
        GENESIS_HASH,
        stream.events.map((event, i) => ({ ...event, streamId: stream.streamId, version: i + 1, schemaVersion: 1 })),
        recordedAt,
      );
      for (const event of chained) {
        rows.push([stream.streamId, event.version, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), event.metadata.occurredAt]);
      }
    }
    cases += streams.length;
    chunks = chunk + 1;
    casesInLastChunk = streams.length;
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < rows.length) {
          const slice = rows.slice(next, next + ROWS_PER_INSERT);
          next += ROWS_PER_INSERT;
          const column = (i: number) => slice.map((row) => row[i]);
          await db.query(
            `INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, occurred_at, recorded_at)
             SELECT s, v, id, t, d, m, o, $8::timestamptz
               FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[]) AS e(s, v, id, t, d, m, o)`,
            [column(0), column(1), column(2), column(3), column(4), column(5), column(6), recordedAt],
          );
          written += slice.length;
          progress.tick(written);
        }
      }),
    );
  }
  const baseHead = Number((await db.query<{ p: string }>('SELECT max(global_position) AS p FROM events')).rows[0].p);
  const baseCases = cases;
  let copies = 0;
  let lastCopyComplete = true;
  const caseStreams = `${caseStreamName('gen-')}%`;
  while (written < events) {
    const k = copies + 1;
    const copied = await db.query(
      `INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, occurred_at, recorded_at)
       SELECT replace(stream_id, $2, $3), stream_version, gen_random_uuid(), event_type,
              replace(replace(data::text, '"gen-', $4), '"cus_', $5)::jsonb,
              replace(replace(metadata::text, '"gen-', $4), '"cus_', $5)::jsonb,
              occurred_at, recorded_at
         FROM events WHERE global_position <= $1 AND stream_id LIKE $6
        ORDER BY global_position LIMIT $7`,
      [baseHead, caseStreamName('gen-'), caseStreamName(`gen-x${k}-`), `"gen-x${k}-`, `"cus_x${k}_`, caseStreams, events - written],
    );
    written += copied.rowCount ?? 0;
    copies = k;
    lastCopyComplete = written < events;
    // The last copy may stop inside the base: its cases are counted in proportion.
    cases += Math.round((baseCases * (copied.rowCount ?? 0)) / Math.max(1, baseHead - 2));
    progress.tick(written);
  }
  /** A case of the base or of a complete copy (the last copy may stop partway). */
  const pickFrom = (random: () => number): { copy: number; chunk: number; n: number } => {
    const copy = Math.floor(random() * (lastCopyComplete ? copies + 1 : copies));
    const chunk = Math.floor(random() * chunks);
    const n = Math.floor(random() * (chunk === chunks - 1 ? casesInLastChunk : CASES_PER_CHUNK));
    return { copy, chunk, n };
  };
  const prefix = (copy: number) => (copy === 0 ? '' : `x${copy}-`);
  return {
    events: written,
    cases,
    pickCase: (random) => {
      const { copy, chunk, n } = pickFrom(random);
      return `gen-${prefix(copy)}${chunk + 1}-${n}`;
    },
    pickCustomer: (random) => {
      const { copy, chunk, n } = pickFrom(random);
      return `cus_${copy === 0 ? '' : `x${copy}_`}${chunk}_${Math.floor(n * 0.7)}`;
    },
  };
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  samples.push(msSince(started));
  return result;
}

/** Appends new cases one event per append (what commands do), by `writers` concurrent writers. */
async function appendLatency(store: PostgresEventStore, writers: number, seed: number): Promise<LatencySummary & { perSecond: number }> {
  const log = generateLog({ cases: 400, seed, customerPrefix: `append${seed}_` });
  const streams = log.streams.slice(1);
  const samples: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < streams.length) {
        const stream = streams[next++];
        for (let i = 0; i < stream.events.length; i++) {
          await timed(samples, () => store.append(stream.streamId, [stream.events[i]], { expectedVersion: i }));
        }
      }
    }),
  );
  return { ...summarize([...samples].sort((a, b) => a - b), 2), perSecond: perSecond(samples.length, msSince(started)) };
}

async function caseLoadLatency(store: PostgresEventStore, log: FilledLog): Promise<LatencySummary> {
  const random = seededRandom(7);
  const samples: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const caseId = log.pickCase(random);
    const state = await timed(samples, async () =>
      (await store.readStream(caseStreamName(caseId))).reduce((s, e) => evolve(s, e as unknown as CaseEvent), initialCaseState()),
    );
    if (state.status === 'none') throw new Error(`case ${caseId} not found: the scale bench picks cases that do not exist`);
  }
  return summarize([...samples].sort((a, b) => a - b), 2);
}

async function queryLatency(db: PostgresDatabase, store: PostgresEventStore, log: FilledLog): Promise<Record<string, LatencySummary>> {
  // The read models are caught up here (the rebuild just swapped them in): nothing to wait for.
  const caughtUp = { waitFor: async () => true } as unknown as ProjectionRunner;
  const random = seededRandom(11);
  const customer = () => log.pickCustomer(random);
  const now = new Date('2026-03-01T00:00:00.000Z');
  // The generated cases are logged over 120 days from 2026-01-05: a dashboard's last four weeks
  // hold a quarter of them (the aggregations read every case in their range).
  const from = new Date(now.getTime() - 28 * 86_400_000);
  const to = now;
  const sealedLog = store as never;
  const queries: Record<string, () => Promise<unknown>> = {
    'manager queue, first page': () => new ManagerQueueQuery(db).list({ limit: 50 }, now),
    'manager queue, one customer': () => new ManagerQueueQuery(db).list({ limit: 50, customerId: customer() }, now),
    'follow-up queue, first page': () => new FollowUpQueueQuery(db).list({ limit: 50 }, now),
    'customer timeline': () => new CustomerTimelineQuery(db).timeline(customer(), { limit: 50 }),
    'customer history (one customer)': () => new CustomerHistoryQuery(db, sealedLog, caughtUp).earlierCases(customer(), 'none', 365, now),
    'due deadlines (scheduler scan)': () => new DueDeadlinesQuery(db).due(now, 100),
    'trends, 4 weeks by week': () => new TrendsQuery(db).trends({ from, to, interval: 'week' }, now),
    'trends, 4 weeks by category': () => new TrendsQuery(db).trends({ from, to, interval: 'week', groupBy: 'category' }, now),
    'insights, 4 weeks': () => new InsightsQuery(db).insights({ from, to, interval: 'week', minCases: 20, nearMissDays: 3 }),
  };
  const result: Record<string, LatencySummary> = {};
  for (const [name, query] of Object.entries(queries)) {
    const samples: number[] = [];
    // The aggregations read every case in the range: a few runs say enough, and at ten million events each takes a while.
    const runs = name.startsWith('trends') || name.startsWith('insights') ? 3 : 100;
    await query(); // the first run plans and warms; the figures are of the ones after
    for (let i = 0; i < runs; i++) await timed(samples, query);
    result[name] = summarize([...samples].sort((a, b) => a - b), 2);
  }
  return result;
}

async function storageOf(db: PostgresDatabase, schema: string, events: number): Promise<Storage> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pgstattuple').catch(() => undefined);
  const hasPgstattuple = (await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple'`)).rows.length > 0;
  const relations: RelationSize[] = [];
  const { rows: indexes } = await db.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events'`, [schema]);
  const table = await db.query<{ bytes: string }>(`SELECT pg_relation_size('events') AS bytes`);
  let table_free: number | null = null;
  let dead: number | null = null;
  if (hasPgstattuple) {
    const approx = await db.query<{ free: number; dead: number }>(`SELECT approx_free_percent AS free, dead_tuple_percent AS dead FROM pgstattuple_approx('events')`);
    table_free = Number(Number(approx.rows[0].free).toFixed(1));
    dead = Number(Number(approx.rows[0].dead).toFixed(1));
  }
  relations.push({ name: 'events (heap)', mib: MiB(table.rows[0].bytes), density: table_free, deadTuplePercent: dead });
  const toast = await db.query<{ bytes: string }>(`SELECT coalesce(pg_relation_size(reltoastrelid), 0) AS bytes FROM pg_class WHERE oid = 'events'::regclass`);
  relations.push({ name: 'events (TOAST)', mib: MiB(toast.rows[0].bytes) });
  for (const { name } of indexes) {
    const size = await db.query<{ bytes: string }>(`SELECT pg_relation_size($1::regclass) AS bytes`, [name]);
    let density: number | null = null;
    if (hasPgstattuple) density = Number((await db.query<{ d: number }>(`SELECT avg_leaf_density AS d FROM pgstatindex($1)`, [`${schema}.${name}`])).rows[0].d);
    relations.push({ name, mib: MiB(size.rows[0].bytes), density });
  }
  const readModels = await db.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'rm\\_%'`,
    [schema],
  );
  const total = await db.query<{ bytes: string }>(`SELECT pg_total_relation_size('events') AS bytes`);
  const database = await db.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS bytes`);
  return {
    eventsTableMiB: MiB(total.rows[0].bytes),
    bytesPerEvent: Math.round(Number(total.rows[0].bytes) / Math.max(1, events)),
    relations,
    readModelsMiB: MiB(readModels.rows[0].bytes),
    databaseMiB: MiB(database.rows[0].bytes),
  };
}

/** Fills a store of `events` events and measures it; the schema is dropped afterwards. */
export async function runScaleScenario(options: { scratch: ScratchDatabase; events: number }): Promise<ScaleCell> {
  const schema = `scale_${randomBytes(4).toString('hex')}`;
  const db = await PostgresDatabase.open({ connectionString: options.scratch.url, schema, poolSize: 8 });
  const label = `scale ${options.events}`;
  try {
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    say(`${label}: filling the log in bulk`);
    const fillStarted = process.hrtime.bigint();
    const filled = await bulkFill(db, store, options.events, label);
    const fillMs = msSince(fillStarted);
    say(`${label}: VACUUM ANALYZE, CHECKPOINT`);
    await db.query('VACUUM ANALYZE events');
    await db.query('CHECKPOINT').catch(() => undefined);

    say(`${label}: case loads`);
    const caseLoad = await caseLoadLatency(store, filled);
    say(`${label}: appends, 1 writer then 8`);
    const append1Writer = await appendLatency(store, 1, 90_001);
    const append8Writers = await appendLatency(store, 8, 90_002);

    const projections = READ_MODELS.map((readModel) => readModel.projection);
    await prepareReadModels(db, projections);
    say(`${label}: catch-up of every read model from zero`);
    const progress = new Progress(`${label}: catch-up (events)`, filled.events);
    const rebuilt = await rebuildReadModels(db, store, projections, { onProgress: (p) => progress.tick(p.eventsRead) });
    for (const projection of projections) {
      for (const table of Object.values(tableNames(projection, rebuilt.generations[projection.name]))) await db.query(`ANALYZE ${table}`);
    }
    say(`${label}: a query on each read model`);
    const queries = await queryLatency(db, store, filled);
    say(`${label}: sizes and bloat`);
    const storage = await storageOf(db, schema, filled.events);
    return {
      scenario: 'scale',
      store: 'postgres',
      events: filled.events,
      cases: filled.cases,
      fillSeconds: Number((fillMs / 1000).toFixed(1)),
      fillEventsPerSecond: perSecond(filled.events, fillMs),
      append1Writer,
      append8Writers,
      caseLoad,
      catchUpSeconds: Number(rebuilt.elapsedSeconds.toFixed(1)),
      catchUpEventsPerSecond: rebuilt.eventsPerSecond,
      queries,
      storage,
    };
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.close();
  }
}
