/**
 * Rebuild throughput: generates a log of realistic cases (through the domain's decide), then
 * rebuilds every read model from it and reports events/s.
 *
 *   node -r ./test/support/register-ts.js bench/rebuild.ts --store postgres --events 100000
 *   node -r ./test/support/register-ts.js bench/rebuild.ts --store pglite --events 100000
 *
 * postgres uses TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a schema
 * of its own, dropped at the end; pglite uses a temporary data folder on disk, like `npm start`.
 * Results go to stdout and bench/results/rebuild-<store>.json.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { migrate, PgliteDatabase, PostgresDatabase, SqlDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { READ_MODELS, REBUILD_BATCH_SIZE, rebuildReadModels } from '@refund-desk/read-models';
import { prepareReadModels } from '@refund-desk/read-models/testing';
import { appendLog, generateLog } from '../test/support/generated-log';
import { POSTGRES_TEST_URL } from '../test/support/postgres-probe';

const EVENTS_PER_CASE = 5.3;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'postgres' },
      events: { type: 'string', default: '100000' },
      batch: { type: 'string', default: String(REBUILD_BATCH_SIZE) },
      seed: { type: 'string', default: '1' },
    },
  });
  const store = values.store === 'pglite' ? 'pglite' : 'postgres';
  const wanted = Number(values.events);
  let db: SqlDatabase;
  let cleanup: () => Promise<void>;
  if (store === 'postgres') {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    db = await PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema, poolSize: 8 });
    cleanup = async () => {
      await db.close();
      const client = new Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'refund-desk-bench-'));
    db = await PgliteDatabase.open({ dataDir: dir });
    cleanup = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const events = new PostgresEventStore(db);
    const log = generateLog({ cases: Math.ceil(wanted / EVENTS_PER_CASE), seed: Number(values.seed) });
    let started = Date.now();
    await appendLog(events, log, store === 'postgres' ? 8 : 1);
    const appendSeconds = (Date.now() - started) / 1000;
    process.stderr.write(`appended ${log.eventCount} events in ${appendSeconds.toFixed(1)} s\n`);

    // The log as it stands by the time anyone rebuilds from it: vacuumed, analyzed and past a
    // checkpoint, as `npm run bench` has it too. Just loaded and never analyzed, the planner may
    // sort the rest of the log for each page, which times the planner rather than the rebuild.
    await db.query('VACUUM ANALYZE events');
    if (store === 'postgres') await db.query('CHECKPOINT');
    const projections = READ_MODELS.map((readModel) => readModel.projection);
    await prepareReadModels(db, projections);
    started = Date.now();
    let last = 0;
    const result = await rebuildReadModels(db, events, projections, {
      batchSize: Number(values.batch),
      onProgress: (p) => {
        if (Date.now() - last < 2_000) return;
        last = Date.now();
        process.stderr.write(`  ${p.eventsRead}/${log.eventCount} events, ${p.eventsPerSecond} events/s\n`);
      },
    });
    const report = {
      store,
      events: result.eventsRead,
      cases: log.cases.length,
      readModels: result.readModels,
      batchSize: Number(values.batch),
      rebuildSeconds: Number(result.elapsedSeconds.toFixed(2)),
      eventsPerSecond: result.eventsPerSecond,
      eventsAppliedAcrossReadModels: result.eventsApplied,
      appendEventsPerSecond: Math.round(log.eventCount / appendSeconds),
      node: process.version,
      at: new Date().toISOString(),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', `rebuild-${store}.json`), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
