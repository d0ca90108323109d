export * from './sql-database';
export * from './postgres-database';
export * from './pglite-database';
export * from './migrations';
export * from './database.module';
export * from './unavailable';
export * from './data-dir-lock';
export * from './database-errors';
