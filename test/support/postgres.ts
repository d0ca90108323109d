import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PostgresDatabase } from '@refund-desk/database';
import { POSTGRES_PROBE_ENV as PROBE_ENV, POSTGRES_TEST_URL } from './postgres-probe';

export { POSTGRES_TEST_URL };

const postgresProblem = (): string | null => {
  const answer = process.env[PROBE_ENV];
  if (answer === undefined) return 'the PostgreSQL probe did not run (jest global setup)';
  return answer === 'ok' ? null : answer;
};

/**
 * A suite that needs the PostgreSQL server. In CI an unreachable server fails the suite; elsewhere
 * it is skipped with a message saying what is missing.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  const problem = postgresProblem();
  if (!problem) return describe(name, body);
  if (process.env.CI) {
    return describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(`${problem}. CI requires it (set TEST_DATABASE_URL).`);
      });
    });
  }
  console.warn(`Skipping "${name}": ${problem}. Start PostgreSQL or set TEST_DATABASE_URL to run it.`);
  describe.skip(name, body);
}

/** A fresh schema per suite: no truncation, no interference between parallel suites. */
export async function openTestSchema(prefix = 't'): Promise<{ db: PostgresDatabase; schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const db = await PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema, poolSize: 12 });
  return {
    db,
    schema,
    drop: async () => {
      await db.close();
      const client = new Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
