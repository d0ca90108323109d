import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';
import { processAlive } from '../../test/support/pg-cluster';
import { POSTGRES_TEST_URL } from '../../test/support/postgres-probe';

/** The server the bench runs on: BENCH_DATABASE_URL, else the tests' server. */
export const BENCH_SERVER_URL = process.env.BENCH_DATABASE_URL ?? POSTGRES_TEST_URL;

const withDatabase = (url: string, database: string): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: BENCH_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const SCRATCH_PREFIX = 'refund_desk_bench_';

/**
 * Scratch databases of earlier runs on this host whose process is gone (killed with SIGKILL, or
 * the machine stopped): their names carry the host's and the run's pid.
 */
async function dropOrphans(host: string): Promise<string[]> {
  return admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${SCRATCH_PREFIX}${host}_%`]);
    const orphans = rows.map((row) => row.datname).filter((name) => !processAlive(Number(name.split('_').at(-2))));
    for (const name of orphans) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return orphans;
  });
}

/**
 * A database of its own for one bench run, so the peer library (which owns its schema names)
 * and our store never meet tables left by anything else; dropped at the end, also on Ctrl-C or
 * SIGTERM, and by the next run on this host when this one was killed outright.
 */
export class ScratchDatabase {
  private dropped: Promise<void> | null = null;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<ScratchDatabase> {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);
    const orphans = await dropOrphans(host);
    if (orphans.length > 0) process.stderr.write(`dropped ${orphans.length} scratch database(s) left by killed runs: ${orphans.join(', ')}\n`);
    const name = `${SCRATCH_PREFIX}${host}_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    const scratch = new ScratchDatabase(name, withDatabase(BENCH_SERVER_URL, name));
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      process.once(signal, () => {
        process.stderr.write(`${signal}: dropping the scratch database ${name}\n`);
        void scratch.drop().finally(() => process.exit(code));
      });
    }
    return scratch;
  }

  drop(): Promise<void> {
    this.dropped ??= admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    });
    return this.dropped;
  }
}

/** What the server says of itself and of its durability settings, for the report. */
export async function serverFacts(): Promise<Record<string, string>> {
  return admin(async (client) => {
    const facts: Record<string, string> = {};
    for (const setting of ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections']) {
      const { rows } = await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [setting]);
      facts[setting] = rows[0].v;
    }
    return facts;
  });
}
