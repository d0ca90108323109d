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

/**
 * Waits until readers can see every event committed so far. The read horizon is server-wide: a
 * suite running beside this one that holds a transaction id (any write, in any database) keeps
 * committed events out of `readAll` and `head` until it ends. Tests that count what a rebuild or
 * catch-up reads wait here first, so they measure the code and not their neighbours.
 */
export async function untilAllVisible(
  db: Pick<PostgresDatabase, 'query'>,
  store: { head(): Promise<{ position: number | null; checkpoint: string | null }> },
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { rows } = await db.query<{ last: number | null }>('SELECT max(global_position)::int AS last FROM events');
  const last = rows[0]?.last ?? null;
  for (;;) {
    const head = await store.head();
    if (last === null || (await eventsBeyond(db, head.checkpoint, last)) === 0) return;
    if (Date.now() > deadline) throw new Error(`events up to ${last} were committed but readers still see only up to ${head.checkpoint} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Events (up to `upToPosition`, when given) that lie beyond `checkpoint` in the order the log is
 * read: (transaction, position). Positions do not follow commit order (appends committed together,
 * or statements drawing from the sequence at once), so a reader is at the head when this is 0,
 * not when its last position reaches max(global_position): its last event can sit below it.
 */
export async function eventsBeyond(db: Pick<PostgresDatabase, 'query'>, checkpoint: string | null, upToPosition?: number): Promise<number> {
  const [tx, position] = checkpoint ? checkpoint.split(':') : ['0', '0'];
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events
      WHERE ($3::bigint IS NULL OR global_position <= $3) AND (transaction_id, global_position) > ($1::xid8, $2::bigint)`,
    [tx, position, upToPosition ?? null],
  );
  return rows[0].n;
}
