import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
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

/**
 * A database of its own for one bench run, so the peer library (which owns its schema names)
 * and our store never meet tables left by anything else; dropped at the end, even on Ctrl-C.
 */
export class ScratchDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<ScratchDatabase> {
    const name = `refund_desk_bench_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    const scratch = new ScratchDatabase(name, withDatabase(BENCH_SERVER_URL, name));
    process.once('SIGINT', () => {
      void scratch.drop().finally(() => process.exit(130));
    });
    return scratch;
  }

  async drop(): Promise<void> {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
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
