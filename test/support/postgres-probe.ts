import { Client } from 'pg';

/** Kept free of project imports: jest's global setup does not apply the path aliases. */
export const POSTGRES_TEST_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_PROBE_ENV = 'REFUND_DESK_TEST_POSTGRES';

/**
 * A fresh server has only the `postgres` database: create the test database from there when it
 * is missing, so the suites run on a clean machine without a manual step.
 */
export async function ensureTestDatabase(url: string = POSTGRES_TEST_URL): Promise<'created' | 'exists'> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return 'exists';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return 'exists';
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // Two runs racing to create it: the loser finds it there, which is all it wanted.
      if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
    }
    return 'created';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Run once by jest's global setup; workers inherit the answer through the environment. */
export async function probePostgres(): Promise<void> {
  try {
    await ensureTestDatabase();
  } catch {
    // Unreachable, or no right to create databases: the probe below says what is wrong.
  }
  const client = new Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env[POSTGRES_PROBE_ENV] = 'ok';
  } catch (error) {
    process.env[POSTGRES_PROBE_ENV] = `PostgreSQL at ${POSTGRES_TEST_URL} is unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
