import { resolve } from 'node:path';
import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, DependencyError } from '@refund-desk/platform';
import { PgliteDatabase } from './pglite-database';
import { PostgresDatabase } from './postgres-database';
import { SqlDatabase } from './sql-database';

export const SQL_DATABASE = Symbol('SQL_DATABASE');

export async function openDatabase(config: AppConfig): Promise<SqlDatabase> {
  if (config.DATABASE_URL) {
    return PostgresDatabase.open({
      connectionString: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolSize: config.DATABASE_POOL_SIZE,
    });
  }
  return PgliteDatabase.open({ dataDir: resolve(config.DATA_DIR) });
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** The SQL database of events and read models: the PostgreSQL server, or PGlite in DATA_DIR. */
@Global()
@Module({
  providers: [
    {
      provide: SQL_DATABASE,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        // A failed start says which setting points at the database it could not open.
        const db = await openDatabase(config).catch((error: unknown) => {
          throw config.DATABASE_URL ? new DependencyError('postgresql', 'DATABASE_URL', error) : new DependencyError('pglite', 'DATA_DIR', error);
        });
        new Logger('Database').log(
          db.kind === 'pglite' ? `embedded PGlite in ${resolve(config.DATA_DIR)}` : `PostgreSQL, schema ${config.DATABASE_SCHEMA}`,
        );
        return db;
      },
    },
    DatabaseLifecycle,
  ],
  exports: [SQL_DATABASE],
})
export class DatabaseModule {}
