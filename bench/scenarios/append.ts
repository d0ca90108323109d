import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { migrate, PgliteDatabase, PostgresDatabase, SqlDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { Progress, say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';
import { perSecond, summarize, LatencySummary } from '../support/stats';
import { AppendJob, AppendWorkload, notePayload, runBatchedWriters, runWriters } from '../support/workload';

export interface AppendCell {
  readonly scenario: 'append';
  readonly store: 'postgres' | 'pglite';
  readonly system: 'refund-desk' | 'raw INSERT' | 'raw INSERT, 100 rows/commit' | 'emmett-postgresql';
  readonly writers: number;
  readonly appends: number;
  readonly streams: number;
  readonly appendsPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
  readonly firstError?: string;
}

interface System {
  readonly name: AppendCell['system'];
  /** Prepares empty tables and returns the append and a way to let go of connections. */
  open(writers: number): Promise<Opened>;
}

interface Opened {
  append(job: AppendJob): Promise<void>;
  /** Only the multi-row reference: `batch` jobs in one statement, one commit. */
  readonly batch?: { readonly size: number; append(jobs: readonly AppendJob[]): Promise<void> };
  close(): Promise<void>;
}

/** The physical limit group commit approaches: durable commits of 100 rows each. */
const ROWS_PER_COMMIT = 100;

interface RawOpened extends Opened {
  readonly schema: string;
}

const streamName = (stream: number): string => `case-bench${String(stream).padStart(6, '0')}`;
const hex = (): string => randomBytes(32).toString('hex');

/** The same row our store writes, through one plain INSERT: the limit for a durable append. */
const RAW_INSERT = `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at)
  VALUES ($1, $2, $3, 'NoteAdded', 1, $4, $5, $6)`;

const rawParams = (job: AppendJob): unknown[] => {
  const { data, metadata } = notePayload(job.stream, job.expectedVersion + 1);
  return [
    streamName(job.stream),
    job.expectedVersion + 1,
    randomUUID(),
    JSON.stringify(data),
    JSON.stringify({ ...metadata, prevHash: hex(), hash: hex() }),
    metadata.occurredAt,
  ];
};

const storeAppend = (store: PostgresEventStore) => async (job: AppendJob) => {
  const { data, metadata } = notePayload(job.stream, job.expectedVersion + 1);
  await store.append(
    streamName(job.stream),
    [{ eventId: randomUUID(), type: 'NoteAdded', data, metadata: metadata as never }],
    { expectedVersion: job.expectedVersion },
  );
};

function postgresSystems(scratch: ScratchDatabase): System[] {
  let n = 0;
  const freshSchema = (): string => `append_${n++}_${randomBytes(3).toString('hex')}`;
  const refundDesk: System = {
    name: 'refund-desk',
    async open(writers) {
      const db = await PostgresDatabase.open({ connectionString: scratch.url, schema: freshSchema(), poolSize: writers });
      await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
      await warm(db, writers);
      const store = new PostgresEventStore(db);
      return { append: storeAppend(store), close: () => db.close() };
    },
  };
  const raw: System = {
    name: 'raw INSERT',
    async open(writers) {
      const schema = freshSchema();
      // Our own table and indexes, so the limit is measured on the same rows in the same shape.
      const setup = await PostgresDatabase.open({ connectionString: scratch.url, schema, poolSize: 1 });
      await migrate(setup, 'event-log', EVENT_LOG_MIGRATIONS);
      await setup.close();
      const pool = new Pool({ connectionString: scratch.url, max: writers, options: `-c search_path=${schema}` });
      await Promise.all(Array.from({ length: writers }, () => pool.query('SELECT 1')));
      const opened: RawOpened = {
        schema,
        append: async (job) => void (await pool.query({ name: 'raw_append', text: RAW_INSERT, values: rawParams(job) })),
        close: () => pool.end(),
      };
      return opened;
    },
  };
  const rawBatched: System = {
    name: 'raw INSERT, 100 rows/commit',
    async open(writers) {
      const opened = await raw.open(writers);
      const pool = new Pool({ connectionString: scratch.url, max: writers, options: `-c search_path=${(opened as RawOpened).schema}` });
      await Promise.all(Array.from({ length: writers }, () => pool.query('SELECT 1')));
      return {
        append: opened.append,
        batch: {
          size: ROWS_PER_COMMIT,
          append: async (jobs) => {
            const rows = jobs.map(rawParams);
            const column = (k: number) => rows.map((row) => row[k]);
            await pool.query({
              name: 'raw_append_batch',
              text: `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at)
                     SELECT s, v, id, 'NoteAdded', 1, d, m, o
                       FROM unnest($1::text[], $2::int[], $3::uuid[], $4::jsonb[], $5::jsonb[], $6::timestamptz[]) AS e(s, v, id, d, m, o)`,
              values: [column(0), column(1), column(2), column(3), column(4), column(5)],
            });
          },
        },
        close: async () => {
          await pool.end();
          await opened.close();
        },
      };
    },
  };
  return [raw, rawBatched, refundDesk, emmett()];
}

/** Emmett lives in bench/peers with its own dependency tree (its peer versions clash with ours). */
function emmett(): System {
  return {
    name: 'emmett-postgresql',
    async open(writers) {
      const peers = createRequire(resolve(__dirname, '../peers/package.json'));
      const { getPostgreSQLEventStore } = peers('@event-driven-io/emmett-postgresql');
      const PeerPool = peers('pg').Pool;
      // Emmett's tables have fixed names: a database of their own for each run keeps them empty.
      const own = await ScratchDatabase.create();
      const pool = new PeerPool({ connectionString: own.url, max: writers });
      // Emmett ends the pool it was given on close; a connection still closing when the database
      // is dropped must not take the whole run down with an unhandled 'error'.
      pool.on('error', () => undefined);
      const store = getPostgreSQLEventStore(own.url, { connectionOptions: { pool } });
      await store.appendToStream('warm-up', [{ type: 'WarmedUp', data: {} }]);
      await Promise.all(Array.from({ length: writers }, () => pool.query('SELECT 1')));
      return {
        append: async (job) => {
          const { data, metadata } = notePayload(job.stream, job.expectedVersion + 1);
          await store.appendToStream(streamName(job.stream), [{ type: 'NoteAdded', data, metadata }], {
            expectedStreamVersion: BigInt(job.expectedVersion),
          });
        },
        close: async () => {
          await store.close();
          await pool.end().catch(() => undefined);
          await own.drop();
        },
      };
    },
  };
}

function pgliteSystems(): System[] {
  const onDisk = async (): Promise<{ db: SqlDatabase; close(): Promise<void> }> => {
    const dir = mkdtempSync(join(tmpdir(), 'refund-desk-bench-'));
    const db = await PgliteDatabase.open({ dataDir: dir });
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    return {
      db,
      close: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  return [
    {
      name: 'raw INSERT',
      async open() {
        const { db, close } = await onDisk();
        return { append: async (job) => void (await db.query(RAW_INSERT, rawParams(job))), close };
      },
    },
    {
      name: 'refund-desk',
      async open() {
        const { db, close } = await onDisk();
        return { append: storeAppend(new PostgresEventStore(db)), close };
      },
    },
  ];
}

/** Opens every pooled connection before the clock starts. */
async function warm(db: SqlDatabase, writers: number): Promise<void> {
  await Promise.all(Array.from({ length: writers }, () => db.query('SELECT 1')));
}

export async function runAppendScenario(options: {
  store: 'postgres' | 'pglite';
  appends: number;
  streams: number;
  writers: readonly number[];
  scratch?: ScratchDatabase;
  checkpoint?: () => Promise<void>;
}): Promise<AppendCell[]> {
  const systems = options.store === 'postgres' ? postgresSystems(options.scratch!) : pgliteSystems();
  const cells: AppendCell[] = [];
  for (const writers of options.writers) {
    for (const system of systems) {
      const workload: AppendWorkload = { appends: options.appends, streams: options.streams, writers };
      say(`append on ${options.store}: ${system.name}, ${writers} writer(s), ${workload.appends} appends into ${workload.streams} streams`);
      const opened = await system.open(writers);
      // Start each system from the same place: no dirty pages left by the one before it.
      await options.checkpoint?.();
      const progress = new Progress(system.name, workload.appends);
      try {
        const tick = (done: number) => progress.tick(done);
        const run = opened.batch
          ? await runBatchedWriters(workload, opened.batch.size, opened.batch.append, tick)
          : await runWriters(workload, opened.append, tick);
        cells.push({
          scenario: 'append',
          store: options.store,
          system: system.name,
          writers,
          appends: workload.appends,
          streams: workload.streams,
          appendsPerSecond: perSecond(run.latenciesMs.length, run.ms),
          latencyMs: summarize(run.latenciesMs, 2),
          errors: run.errors,
          ...(run.firstError ? { firstError: run.firstError } : {}),
        });
      } finally {
        await opened.close();
      }
    }
  }
  return cells;
}
