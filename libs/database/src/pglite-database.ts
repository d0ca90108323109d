import { PGlite, types } from '@electric-sql/pglite';
import { join } from 'node:path';
import { withoutParameters } from './database-errors';
import { lockDataDir } from './data-dir-lock';
import { QueryOptions, SqlDatabase, SqlExecutor, SqlQueryResult } from './sql-database';

export interface PgliteDatabaseOptions {
  /** Folder for the database files; undefined keeps everything in memory (tests). */
  readonly dataDir?: string;
}

const parsers = { [types.INT8]: (value: string) => Number(value) };

export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;

  private constructor(
    private readonly db: PGlite,
    private readonly unlock: () => void,
  ) {}

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => undefined;
    try {
      const db = await PGlite.create(options.dataDir ? join(options.dataDir, 'pglite') : undefined, { parsers });
      return new PgliteDatabase(db, unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  }

  async query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    _options?: QueryOptions,
  ): Promise<SqlQueryResult<Row>> {
    try {
      const result = await this.db.query<Row>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } catch (error) {
      throw withoutParameters(error);
    }
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <Row>(sql: string, params?: readonly unknown[]) => {
          try {
            const result = await tx.query<Row>(sql, params as unknown[] | undefined);
            return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
          } catch (error) {
            throw withoutParameters(error);
          }
        },
      }),
    );
  }

  /** Runs several statements at once (schema migrations); parameters are not allowed. */
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    try {
      if (!this.db.closed) await this.db.close();
    } finally {
      this.unlock();
    }
  }
}
