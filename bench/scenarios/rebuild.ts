import { randomBytes } from 'node:crypto';
import { migrate, PostgresDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { READ_MODELS, rebuildReadModels } from '@refund-desk/read-models';
import { prepareReadModels, tableNames } from '@refund-desk/read-models/testing';
import { generateLog } from '../../test/support/generated-log';
import { Progress, say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';
import { msSince, perSecond } from '../support/stats';

export interface RebuildCell {
  readonly scenario: 'rebuild';
  readonly store: 'postgres';
  readonly events: number;
  readonly readModels: number;
  readonly rowsWritten: number;
  readonly rebuildSeconds: number;
  readonly eventsPerSecond: number;
  /**
   * CPU this process spent during the rebuild, as a share of its wall time: near 1, the process
   * (reading, decoding, folding rows) is the limit; well below, the database is.
   */
  readonly processCpuShare: number;
  /** INSERT … SELECT of the very rows the rebuild wrote into empty tables of the same shape. */
  readonly bulkInsertSeconds: number;
  readonly bulkEventsPerSecond: number;
}

const CASES_PER_CHUNK = 20_000;
const EVENTS_PER_CASE = 5.3;

/** Fills the log with generated cases, a chunk at a time so a million events never sit in memory at once. */
async function fillLog(store: PostgresEventStore, events: number): Promise<number> {
  const cases = Math.ceil(events / EVENTS_PER_CASE);
  const progress = new Progress('generating the log (events)', Math.round(cases * EVENTS_PER_CASE));
  let written = 0;
  for (let chunk = 0; chunk * CASES_PER_CHUNK < cases; chunk++) {
    const log = generateLog({ cases: Math.min(CASES_PER_CHUNK, cases - chunk * CASES_PER_CHUNK), seed: chunk + 1 });
    const [policy, ...streams] = log.streams;
    if (chunk === 0) {
      await store.append(policy.streamId, policy.events, { expectedVersion: 0 });
      written += policy.events.length;
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < streams.length) {
          const stream = streams[next++];
          await store.append(stream.streamId, stream.events, { expectedVersion: 0 });
          written += stream.events.length;
          progress.tick(written);
        }
      }),
    );
  }
  return written;
}

/**
 * Rebuilds every read model from a generated log, then copies the rows it wrote with one
 * INSERT … SELECT per table into empty tables of the same shape and indexes: the least any
 * rebuild must spend writing the same result.
 */
export async function runRebuildScenario(options: { scratch: ScratchDatabase; events: number }): Promise<RebuildCell> {
  const schema = `rebuild_${randomBytes(4).toString('hex')}`;
  const db = await PostgresDatabase.open({ connectionString: options.scratch.url, schema, poolSize: 8 });
  try {
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    say(`rebuild: generating about ${options.events} events`);
    const events = await fillLog(store, options.events);
    const projections = READ_MODELS.map((readModel) => readModel.projection);
    await prepareReadModels(db, projections);
    await db.query('VACUUM ANALYZE events');
    await db.query('CHECKPOINT');
    say(`rebuild: all ${projections.length} read models from ${events} events`);
    const progress = new Progress('rebuild (events)', events);
    const cpuBefore = process.cpuUsage();
    const result = await rebuildReadModels(db, store, projections, { onProgress: (p) => progress.tick(p.eventsRead) });
    const cpu = process.cpuUsage(cpuBefore);

    await db.query('CHECKPOINT');
    say('rebuild: the bulk-insert limit of the same rows');
    let rowsWritten = 0;
    const started = process.hrtime.bigint();
    await db.transaction(async (tx) => {
      for (const projection of projections) {
        for (const table of Object.values(tableNames(projection, result.generations[projection.name]))) {
          await tx.query(`CREATE TABLE bulk_${table} (LIKE ${table} INCLUDING ALL)`);
          const copied = await tx.query(`INSERT INTO bulk_${table} SELECT * FROM ${table}`);
          rowsWritten += copied.rowCount;
        }
      }
    });
    const bulkMs = msSince(started);
    return {
      scenario: 'rebuild',
      store: 'postgres',
      events: result.eventsRead,
      readModels: projections.length,
      rowsWritten,
      rebuildSeconds: Number(result.elapsedSeconds.toFixed(2)),
      eventsPerSecond: result.eventsPerSecond,
      processCpuShare: Number(((cpu.user + cpu.system) / 1e6 / result.elapsedSeconds).toFixed(2)),
      bulkInsertSeconds: Number((bulkMs / 1000).toFixed(2)),
      bulkEventsPerSecond: perSecond(result.eventsRead, bulkMs),
    };
  } finally {
    await db.close();
  }
}
