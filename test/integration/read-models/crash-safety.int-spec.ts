import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { READ_MODELS, rebuildReadModels } from '@refund-desk/read-models';
import { prepareReadModels, Projection } from '@refund-desk/read-models/testing';
import { appendLog, generateLog, seededRandom } from '../../support/generated-log';
import { describeWithPostgres, openTestSchema, POSTGRES_TEST_URL, untilAllVisible } from '../../support/postgres';
import { eventually } from '../../support/processes';

const CHILD = join(__dirname, '../../support/projector-child.ts');
const REGISTER = join(__dirname, '../../support/register-ts.js');

/** Runs the projector child until it has committed `batches` batches, then SIGKILLs it; resolves with how it ended. */
function runChild(schema: string, batchSize: number, killAfterBatches: number | null, applicationName: string): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [schema, String(batchSize), applicationName], { execArgv: ['-r', REGISTER], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    let batches = 0;
    child.on('message', (message: { phase: string }) => {
      if (message.phase === 'building') batches += 1;
      if (killAfterBatches !== null && batches >= killAfterBatches && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      // A rebuild that found a checkpoint not where it left it goes on from the stored ones; CI's
      // log says so, since why it found one so is not known yet.
      for (const line of stderr.split('\n')) if (line.includes('going on from the stored checkpoints')) console.warn(`${applicationName}: ${line}`);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`projector child exited with ${code}: ${stderr}`));
    });
  });
}

describeWithPostgres('read models survive SIGKILL of the projector during a rebuild', () => {
  let crashed: Awaited<ReturnType<typeof openTestSchema>>;
  let clean: Awaited<ReturnType<typeof openTestSchema>>;
  let projections: Projection[];
  let events: number;

  beforeAll(async () => {
    crashed = await openTestSchema('crash');
    clean = await openTestSchema('clean');
    projections = READ_MODELS.map((readModel) => readModel.projection);
    await migrate(crashed.db, 'event-log', EVENT_LOG_MIGRATIONS);
    const log = generateLog({ cases: 2_000, seed: 7 });
    events = log.eventCount;
    await appendLog(new PostgresEventStore(crashed.db), log, 6);
    // The clean side gets the very same log, positions and transaction ids included.
    await migrate(clean.db, 'event-log', EVENT_LOG_MIGRATIONS);
    await clean.db.query(`INSERT INTO events OVERRIDING SYSTEM VALUE SELECT * FROM ${crashed.schema}.events`);
    await untilAllVisible(crashed.db, new PostgresEventStore(crashed.db));
    await untilAllVisible(clean.db, new PostgresEventStore(clean.db));
  }, 120_000);
  afterAll(async () => {
    await crashed?.drop();
    await clean?.drop();
  });

  it('equals a clean rebuild row for row after being killed again and again', async () => {
    expect(events).toBeGreaterThan(10_000);
    // The crashed side already has live, filled read models: the killed rebuild must replace them.
    await prepareReadModels(crashed.db, projections);
    await rebuildReadModels(crashed.db, new PostgresEventStore(crashed.db), projections, { batchSize: 5_000 });

    const random = seededRandom(11);
    let kills = 0;
    for (let run = 0; ; run++) {
      const applicationName = `${crashed.schema}-child-${run}`;
      const outcome = await runChild(crashed.schema, 200, run < 6 ? 1 + Math.floor(random() * 6) : null, applicationName);
      if (outcome === 'finished') break;
      kills += 1;
      // A killed client's backend finishes what it was doing first: a COMMIT sent just before the
      // kill still lands. Only once those backends are gone is the killed run's last write final;
      // the next run must not read its checkpoint before (its fenced write would be refused).
      await eventually(
        'the killed child\'s sessions to end',
        async () =>
          (await crashed.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0].n === 0,
        30_000,
        20,
      );
      // The killed rebuild's leases run out after REBUILD_LEASE_TTL_MS; the next run is not made to wait for that.
      await crashed.db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name LIKE 'rebuild:%'`);
    }
    expect(kills).toBe(6);

    await prepareReadModels(clean.db, projections);
    await rebuildReadModels(clean.db, new PostgresEventStore(clean.db), projections, { batchSize: 1_000 });

    const client = new Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    try {
      const { rows: live } = await client.query(
        `SELECT name, generation, checkpoint FROM ${crashed.schema}.projection_checkpoints ORDER BY name, generation`,
      );
      expect(live.every((row) => row.checkpoint !== null)).toBe(true);
      expect(new Set(live.map((row) => row.name)).size).toBe(live.length);
      for (const table of projections.flatMap((p) => p.tables.map((t) => t.name))) {
        const diff = async (a: string, b: string): Promise<number> =>
          (await client.query(`SELECT count(*)::int AS n FROM (SELECT r::text FROM ${a}.${table} r EXCEPT ALL SELECT r::text FROM ${b}.${table} r) d`)).rows[0].n;
        const count = (await client.query(`SELECT count(*)::int AS n FROM ${clean.schema}.${table}`)).rows[0].n;
        expect([table, count > 0, await diff(crashed.schema, clean.schema), await diff(clean.schema, crashed.schema)]).toEqual([table, true, 0, 0]);
      }
    } finally {
      await client.end();
    }
  }, 240_000);
});
