import { Migration, SqlExecutor } from '@refund-desk/database';
import { LogCheckpoint } from '@refund-desk/event-store';

/**
 * One row per generation of each read model: the live one the queries read, and at most one
 * being rebuilt. The row is the checkpoint of that generation's tables and is written in the
 * same transaction as they are.
 */
export const CHECKPOINT_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_projection_checkpoints',
    statements: [
      `CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        checkpoint text,
        position bigint,
        last_recorded_at timestamptz,
        events_applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE projection_failures (
        name text NOT NULL,
        position bigint NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        error text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, event_id)
      )`,
    ],
  },
  {
    // Read models became generations of tables behind views; what 001 built is derived data and
    // is rebuilt from the log into generation 1.
    id: '002_read_model_generations',
    statements: [
      'DROP TABLE projection_checkpoints',
      'DROP TABLE IF EXISTS rm_customer_history',
      `CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        generation integer NOT NULL,
        status text NOT NULL CHECK (status IN ('live', 'building')),
        checkpoint text,
        position bigint,
        last_recorded_at timestamptz,
        events_applied bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, generation)
      )`,
      `CREATE UNIQUE INDEX projection_checkpoints_live_idx ON projection_checkpoints (name) WHERE status = 'live'`,
      `CREATE UNIQUE INDEX projection_checkpoints_building_idx ON projection_checkpoints (name) WHERE status = 'building'`,
    ],
  },
];

export type GenerationStatus = 'live' | 'building';

export interface GenerationRow {
  readonly name: string;
  readonly generation: number;
  readonly status: GenerationStatus;
  readonly checkpoint: LogCheckpoint | null;
  readonly position: number | null;
  readonly lastRecordedAt: string | null;
  readonly eventsApplied: number;
  readonly startedAt: string;
}

interface Row {
  name: string;
  generation: number;
  status: GenerationStatus;
  checkpoint: string | null;
  position: number | null;
  last_recorded_at: Date | null;
  events_applied: number;
  started_at: Date;
}

const toGeneration = (row: Row): GenerationRow => ({
  name: row.name,
  generation: row.generation,
  status: row.status,
  checkpoint: row.checkpoint,
  position: row.position,
  lastRecordedAt: row.last_recorded_at?.toISOString() ?? null,
  eventsApplied: row.events_applied,
  startedAt: row.started_at.toISOString(),
});

const COLUMNS = 'name, generation, status, checkpoint, position, last_recorded_at, events_applied, started_at';

/** Every generation row, or those of the named read models. */
export async function loadGenerations(db: SqlExecutor, names?: readonly string[]): Promise<GenerationRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM projection_checkpoints WHERE $1::text[] IS NULL OR name = ANY($1::text[]) ORDER BY name, generation`,
    [names ?? null],
  );
  return rows.map(toGeneration);
}

export async function loadLiveGeneration(db: SqlExecutor, name: string): Promise<GenerationRow | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM projection_checkpoints WHERE name = $1 AND status = 'live'`,
    [name],
  );
  return rows[0] && toGeneration(rows[0]);
}

/** Locks a generation's row for the rest of the transaction; undefined when it does not exist. */
export async function lockGeneration(tx: SqlExecutor, name: string, generation: number): Promise<GenerationRow | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM projection_checkpoints WHERE name = $1 AND generation = $2 FOR UPDATE`,
    [name, generation],
  );
  return rows[0] && toGeneration(rows[0]);
}

/**
 * Locks the checkpoint rows of several generations, always in the same order (name, generation),
 * and answers the index of the first that is no longer `status` at `from[i]` (another writer or a
 * swap moved it), or -1.
 */
export async function claimGenerations(
  tx: SqlExecutor,
  targets: readonly { readonly projection: { readonly name: string }; readonly generation: number; readonly status: GenerationStatus }[],
  from: readonly (LogCheckpoint | null)[],
): Promise<number> {
  const { rows } = await tx.query<{ name: string; generation: number; status: GenerationStatus; checkpoint: string | null }>(
    `SELECT name, generation, status, checkpoint FROM projection_checkpoints
      WHERE (name, generation) IN (SELECT * FROM unnest($1::text[], $2::int[]))
      ORDER BY name, generation FOR UPDATE`,
    [targets.map((t) => t.projection.name), targets.map((t) => t.generation)],
  );
  return targets.findIndex(
    (t, i) => !rows.some((row) => row.name === t.projection.name && row.generation === t.generation && row.status === t.status && row.checkpoint === from[i]),
  );
}

/**
 * Moves a generation's checkpoint if it is still `status` at `target.checkpoint`; false when
 * another writer or a swap moved it first.
 */
export async function moveCheckpoint(
  tx: SqlExecutor,
  target: { readonly projection: { readonly name: string }; readonly generation: number; readonly status: GenerationStatus; readonly checkpoint: LogCheckpoint | null },
  checkpoint: LogCheckpoint,
  last: { position: number; recordedAt: string } | undefined,
  applied: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE projection_checkpoints SET
       checkpoint = $5,
       position = COALESCE($6, position),
       last_recorded_at = COALESCE($7, last_recorded_at),
       events_applied = events_applied + $8,
       updated_at = now()
     WHERE name = $1 AND generation = $2 AND status = $3 AND checkpoint IS NOT DISTINCT FROM $4`,
    [target.projection.name, target.generation, target.status, target.checkpoint, checkpoint, last?.position ?? null, last?.recordedAt ?? null, applied],
  );
  return rowCount === 1;
}
