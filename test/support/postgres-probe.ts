import { Client } from 'pg';

/** Kept free of project imports: jest's global setup does not apply the path aliases. */
export const POSTGRES_TEST_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_PROBE_ENV = 'REFUND_DESK_TEST_POSTGRES';

/** Run once by jest's global setup; workers inherit the answer through the environment. */
export async function probePostgres(): Promise<void> {
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
