import { Migration, SqlExecutor } from '@refund-desk/database';
import { LogCheckpoint } from '@refund-desk/event-store';

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
];

export interface StoredCheckpoint {
  readonly checkpoint: LogCheckpoint | null;
  readonly position: number | null;
  readonly lastRecordedAt: string | null;
  readonly eventsApplied: number;
}

export async function loadCheckpoint(db: SqlExecutor, name: string): Promise<StoredCheckpoint> {
  const { rows } = await db.query<{ checkpoint: string | null; position: number | null; last_recorded_at: Date | null; events_applied: number }>(
    'SELECT checkpoint, position, last_recorded_at, events_applied FROM projection_checkpoints WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return {
    checkpoint: row?.checkpoint ?? null,
    position: row?.position ?? null,
    lastRecordedAt: row?.last_recorded_at?.toISOString() ?? null,
    eventsApplied: row?.events_applied ?? 0,
  };
}

export async function saveCheckpoint(
  tx: SqlExecutor,
  name: string,
  checkpoint: LogCheckpoint,
  last: { position: number; recordedAt: string } | undefined,
  applied: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO projection_checkpoints (name, checkpoint, position, last_recorded_at, events_applied, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (name) DO UPDATE SET
       checkpoint = EXCLUDED.checkpoint,
       position = COALESCE(EXCLUDED.position, projection_checkpoints.position),
       last_recorded_at = COALESCE(EXCLUDED.last_recorded_at, projection_checkpoints.last_recorded_at),
       events_applied = projection_checkpoints.events_applied + EXCLUDED.events_applied,
       updated_at = now()`,
    [name, checkpoint, last?.position ?? null, last?.recordedAt ?? null, applied],
    { name: 'projection_checkpoint_save' },
  );
}
