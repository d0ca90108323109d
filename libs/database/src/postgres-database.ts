import { Pool, PoolClient, types as pgTypes } from 'pg';
import { assertIdentifier, QueryOptions, SqlDatabase, SqlExecutor, SqlQueryResult } from './sql-database';

export interface PostgresDatabaseOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly poolSize: number;
  readonly applicationName?: string;
}

const INT8_OID = 20;

/** int8 as a JS number: positions and counts stay far below 2^53, and arithmetic on strings invites bugs. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pgTypes.getTypeParser(oid, format as 'text');
  },
};

const run = async <Row>(
  executor: Pool | PoolClient,
  sql: string,
  params: readonly unknown[] | undefined,
  options: QueryOptions | undefined,
): Promise<SqlQueryResult<Row>> => {
  const result = await executor.query({ text: sql, values: params as unknown[] | undefined, name: options?.name });
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
};

export class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;

  private constructor(pool: Pool) {
    this.pool = pool;
  }

  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const schema = assertIdentifier(options.schema, 'DATABASE_SCHEMA');
    // The schema must exist before connections that put it on their search_path are used.
    const bootstrap = new Pool({ connectionString: options.connectionString, max: 1 });
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Another process creating the same schema at the same moment is harmless.
      if ((error as { code?: string }).code !== '23505') throw error;
    } finally {
      await bootstrap.end();
    }
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize,
      application_name: options.applicationName ?? 'refund-desk',
      options: `-c search_path=${schema}`,
      types: typeParsers,
      // Statements issued side by side on one connection (the read models apply a batch so) go
      // out at once and the server works through them without waiting on this process in between.
      pipeline: true,
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions) {
    return run<Row>(this.pool, sql, params, options);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx: SqlExecutor = { query: (sql, params, options) => run(client, sql, params, options) };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** A dedicated client, for tests that must hold a transaction open across other work. */
  connect(): Promise<PoolClient> {
    return this.pool.connect();
  }

  async close(): Promise<void> {
    if (this.pool.ended) return;
    await this.pool.end();
  }
}
