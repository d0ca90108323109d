import { SqlDatabase } from './sql-database';

/** A forward-only schema change, applied once per database and recorded by component and id. */
export interface Migration {
  readonly id: string;
  readonly statements: readonly string[];
}

const MIGRATION_LOCK = 7_411_001;

/**
 * Applies the component's migrations that are not yet recorded. A transaction-scoped advisory
 * lock makes processes that start together take turns instead of racing on CREATE TABLE.
 */
export async function migrate(db: SqlDatabase, component: string, migrations: readonly Migration[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component text NOT NULL,
      id text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, id)
    )`);
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM schema_migrations WHERE component = $1', [component]);
    const applied = new Set(rows.map((row) => row.id));
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (component, id) VALUES ($1, $2)', [component, migration.id]);
      done.push(migration.id);
    }
    return done;
  });
}
