import { Pool, PoolClient, types as pgTypes } from 'pg';
import { Logger } from '@nestjs/common';
import { withoutParameters } from './database-errors';
import { assertIdentifier, pgErrorCode, QueryOptions, SqlDatabase, SqlExecutor, SqlQueryResult } from './sql-database';
import { toDatabaseError } from './unavailable';

export interface PostgresDatabaseOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly poolSize: number;
  readonly applicationName?: string;
}

const INT8_OID = 20;
const PG_DEADLOCK_DETECTED = '40P01';
/** A deadlock needs two parties racing again in the same order to recur; three tries are plenty. */
const DEADLOCK_ATTEMPTS = 3;

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
  try {
    const result = await executor.query({ text: sql, values: params as unknown[] | undefined, name: options?.name });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  } catch (error) {
    throw toDatabaseError(withoutParameters(error));
  }
};

/** How long to wait for a connection (a new one, or a free one in a busy pool) before answering "unavailable". */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Every client gets an 'error' listener of its own, for its whole life. pg-pool only listens while
 * a client is idle and removes that listener at checkout, so a server that goes away while a
 * client is checked out (a transaction between two statements) would otherwise emit an 'error'
 * nobody handles, and Node ends the process. The statement in flight, or the next one, fails on
 * its own and the broken client is dropped when it is released, so logging is all that is left.
 */
function guardConnections(pool: Pool, logger: Logger): void {
  let lastLogged = 0;
  const onError = (error: Error): void => {
    // One line per burst: a restart breaks every connection at once.
    if (Date.now() - lastLogged < 1_000) return;
    lastLogged = Date.now();
    logger.warn({ msg: 'database connection lost; it is replaced on next use', err: { message: error.message, code: (error as { code?: string }).code } });
  };
  pool.on('connect', (client) => client.on('error', onError));
  // An idle client that loses its server is removed by the pool, which then emits this.
  pool.on('error', onError);
}

const logger = new Logger('Database');

export class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;

  private constructor(pool: Pool) {
    this.pool = pool;
  }

  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const schema = assertIdentifier(options.schema, 'DATABASE_SCHEMA');
    // The schema must exist before connections that put it on their search_path are used.
    const bootstrap = new Pool({ connectionString: options.connectionString, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    guardConnections(bootstrap, logger);
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Another process creating the same schema at the same moment is harmless.
      if ((error as { code?: string }).code !== '23505') throw toDatabaseError(error);
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
      // A server that stops answering (not refusing) must not hold requests for ever.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    guardConnections(pool, logger);
    return new PostgresDatabase(pool);
  }

  /**
   * One statement in its own transaction. When the server picks it as the victim of a deadlock
   * (a read taking its locks while a rebuild swaps tables, say), the statement was undone in full,
   * so it is run again: the caller sees the answer, not a 500 for a collision it could not cause.
   */
  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<SqlQueryResult<Row>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run<Row>(this.pool, sql, params, options);
      } catch (error) {
        if (pgErrorCode(error) !== PG_DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
      }
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toDatabaseError(error);
    }
    let broken: Error | undefined;
    try {
      await run(client, 'BEGIN', undefined, undefined);
      const tx: SqlExecutor = { query: (sql, params, options) => run(client, sql, params, options) };
      const result = await fn(tx);
      await run(client, 'COMMIT', undefined, undefined);
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
