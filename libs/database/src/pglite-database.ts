import { PGlite, types } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryOptions, SqlDatabase, SqlExecutor, SqlQueryResult } from './sql-database';

export interface PgliteDatabaseOptions {
  /** Folder for the database files; undefined keeps everything in memory (tests). */
  readonly dataDir?: string;
}

const parsers = { [types.INT8]: (value: string) => Number(value) };

/** PGlite is one PostgreSQL backend inside this process; two processes on one folder would corrupt it. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, 'refund-desk.pid');
  try {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder}. Stop it, or point DATA_DIR elsewhere.`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
    const result = await this.db.query<Row>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <Row>(sql: string, params?: readonly unknown[]) => {
          const result = await tx.query<Row>(sql, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
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
