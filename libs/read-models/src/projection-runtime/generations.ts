import { migrate, SqlDatabase, SqlExecutor } from '@refund-desk/database';
import { CHECKPOINT_MIGRATIONS, GenerationRow, loadGenerations, lockGeneration } from './checkpoints';
import { Projection, TableNames } from './projection';

/**
 * Run first in a rebuild's transactions: refuses the write (rolling it back) once the rebuild's
 * lease has moved to another process, so a rebuilder paused past its lease cannot write late.
 */
export type Fence = (tx: SqlExecutor) => Promise<void>;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,50}$/;

export const physicalTable = (table: string, generation: number): string => `${table}_g${generation}`;

export function tableNames(projection: Projection, generation: number): TableNames {
  return Object.fromEntries(projection.tables.map((table) => [table.name, physicalTable(table.name, generation)]));
}

/** Table names are interpolated into SQL, so a projection may only declare plain identifiers. */
export function assertValidProjection(projection: Projection): void {
  if (!IDENTIFIER.test(projection.name)) throw new Error(`Projection name "${projection.name}" must be a lower-case identifier`);
  for (const table of projection.tables) {
    if (!IDENTIFIER.test(table.name)) throw new Error(`Table "${table.name}" of ${projection.name} must be a lower-case identifier`);
  }
}

/** Serialises generation changes of one read model across processes, for the transaction. */
async function lockReadModel(tx: SqlExecutor, name: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('read-model:' || $1))", [name]);
}

/** Creates a generation's tables and their indexes; while `building`, only the indexes the projection looks up by. */
async function createTables(tx: SqlExecutor, projection: Projection, generation: number, building = false): Promise<void> {
  for (const table of projection.tables) {
    await tx.query(`CREATE TABLE IF NOT EXISTS ${physicalTable(table.name, generation)} (${table.columns})`);
  }
  await createIndexes(tx, projection, generation, building);
}

async function createIndexes(tx: SqlExecutor, projection: Projection, generation: number, onlyLookups = false): Promise<void> {
  for (const table of projection.tables) {
    const physical = physicalTable(table.name, generation);
    for (const [i, index] of (table.indexes ?? []).entries()) {
      if (onlyLookups && !table.lookups?.includes(index)) continue;
      await tx.query(`CREATE INDEX IF NOT EXISTS ${physical}_i${i} ON ${physical} ${index}`);
    }
  }
}

/**
 * Gives a rebuilt generation the indexes it was filled without, before it goes live. The
 * generation's only writer is the rebuild, so building them holds nobody up.
 */
export async function indexGeneration(db: SqlDatabase, projection: Projection, generation: number, fence?: Fence): Promise<void> {
  await db.transaction(async (tx) => {
    await fence?.(tx);
    await createIndexes(tx, projection, generation);
  });
}

async function dropTables(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  for (const table of projection.tables) await tx.query(`DROP TABLE IF EXISTS ${physicalTable(table.name, generation)}`);
}

/** Drops and recreates the views rather than replacing them, so a generation may change a table's shape. */
async function pointViews(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  for (const table of projection.tables) {
    await tx.query(`DROP VIEW IF EXISTS ${table.name}`);
    await tx.query(`CREATE VIEW ${table.name} AS SELECT * FROM ${physicalTable(table.name, generation)}`);
  }
}

async function viewsMissing(tx: SqlExecutor, projection: Projection): Promise<boolean> {
  const { rows } = await tx.query<{ missing: number }>(
    `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NULL`,
    [projection.tables.map((table) => table.name)],
  );
  return rows[0].missing > 0;
}

/** The column names a table declares, leaving out its constraints. */
export function declaredColumns(columns: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let item = '';
  for (const ch of columns) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      items.push(item);
      item = '';
    } else item += ch;
  }
  items.push(item);
  return items
    .map((text) => text.trim())
    .filter((text) => text.length > 0 && !/^(PRIMARY|UNIQUE|CHECK|CONSTRAINT|FOREIGN|EXCLUDE)\b/i.test(text))
    .map((text) => text.split(/\s+/)[0].toLowerCase());
}

/** Whether a generation's tables lack a table or a column the projection declares now. */
async function shapeOutdated(tx: SqlExecutor, projection: Projection, generation: number): Promise<boolean> {
  const names = projection.tables.map((table) => physicalTable(table.name, generation));
  const { rows } = await tx.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [names],
  );
  const existing = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
  const anyTable = new Set(rows.map((row) => row.table_name));
  // A generation with none of its tables (a building one not started yet) has nothing to lose.
  if (anyTable.size === 0) return false;
  return projection.tables.some((table) => {
    const physical = physicalTable(table.name, generation);
    return declaredColumns(table.columns).some((column) => !existing.has(`${physical}.${column}`));
  });
}

/**
 * Makes sure the read model has a live generation with its tables and views; a new read model
 * starts empty at the beginning of the log and its projector catches up from there.
 */
export async function ensureLiveGeneration(db: SqlDatabase, projection: Projection): Promise<void> {
  assertValidProjection(projection);
  await db.transaction(async (tx) => {
    await lockReadModel(tx, projection.name);
    const rows = await loadGenerations(tx, [projection.name]);
    let live = rows.find((row) => row.status === 'live');
    // Tables an earlier version made without a column (or a table) this version writes cannot be
    // kept current: every batch would fail and be skipped. Such a generation is dropped and the
    // read model starts again from the beginning of the log, as a new one does.
    for (const row of rows) {
      if (!(await shapeOutdated(tx, projection, row.generation))) continue;
      // The views read the live generation's tables; they are made again for the new one below.
      if (row === live) for (const table of projection.tables) await tx.query(`DROP VIEW IF EXISTS ${table.name}`);
      await dropTables(tx, projection, row.generation);
      await tx.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [projection.name, row.generation]);
      if (row === live) live = undefined;
    }
    if (live) {
      await createTables(tx, projection, live.generation);
      if (await viewsMissing(tx, projection)) await pointViews(tx, projection, live.generation);
      return;
    }
    const generation = Math.max(0, ...rows.map((row) => row.generation)) + 1;
    await createTables(tx, projection, generation);
    await pointViews(tx, projection, generation);
    await tx.query(`INSERT INTO projection_checkpoints (name, generation, status) VALUES ($1, $2, 'live')`, [projection.name, generation]);
  });
}

/** Creates the checkpoint table and each read model's live generation (tables and views). */
export async function prepareReadModels(db: SqlDatabase, projections: readonly Projection[]): Promise<void> {
  await migrate(db, 'projections', CHECKPOINT_MIGRATIONS);
  for (const projection of projections) await ensureLiveGeneration(db, projection);
}

/**
 * The generation a rebuild fills: the one an interrupted rebuild left (resumed from its
 * checkpoint), or a new one with empty tables.
 */
export async function prepareRebuild(db: SqlDatabase, projection: Projection, restart = false, fence?: Fence): Promise<GenerationRow> {
  assertValidProjection(projection);
  return db.transaction(async (tx) => {
    await fence?.(tx);
    await lockReadModel(tx, projection.name);
    const rows = await loadGenerations(tx, [projection.name]);
    const building = rows.find((row) => row.status === 'building');
    if (building && !restart) {
      await createTables(tx, projection, building.generation, true);
      return building;
    }
    if (building) {
      await dropTables(tx, projection, building.generation);
      await tx.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [projection.name, building.generation]);
    }
    const generation = Math.max(0, ...rows.map((row) => row.generation)) + 1;
    await dropTables(tx, projection, generation);
    await createTables(tx, projection, generation, true);
    await tx.query(`INSERT INTO projection_checkpoints (name, generation, status) VALUES ($1, $2, 'building')`, [projection.name, generation]);
    return (await lockGeneration(tx, projection.name, generation))!;
  });
}

export class CheckpointMovedError extends Error {
  constructor(name: string, generation: number, detail: string) {
    super(`Read model ${name} generation ${generation}: ${detail}`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Makes a rebuilt generation live in one transaction: the views point at its tables, the old
 * generation's row and tables go. Refused when another writer moved the generation meanwhile.
 */
export async function swapGeneration(
  db: SqlDatabase,
  projection: Projection,
  built: { generation: number; checkpoint: string | null },
  fence?: Fence,
): Promise<number | undefined> {
  return db.transaction(async (tx) => {
    await fence?.(tx);
    await lockReadModel(tx, projection.name);
    const { rows } = await tx.query<{ generation: number; status: string; checkpoint: string | null }>(
      'SELECT generation, status, checkpoint FROM projection_checkpoints WHERE name = $1 ORDER BY generation FOR UPDATE',
      [projection.name],
    );
    const target = rows.find((row) => row.generation === built.generation);
    if (!target || target.status !== 'building' || target.checkpoint !== built.checkpoint) {
      throw new CheckpointMovedError(projection.name, built.generation, 'moved by another writer before the swap');
    }
    const old = rows.find((row) => row.status === 'live');
    if (old) {
      await tx.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [projection.name, old.generation]);
    }
    await tx.query(`UPDATE projection_checkpoints SET status = 'live', updated_at = now() WHERE name = $1 AND generation = $2`, [
      projection.name,
      built.generation,
    ]);
    await pointViews(tx, projection, built.generation);
    if (old) await dropTables(tx, projection, old.generation);
    return old?.generation;
  });
}
