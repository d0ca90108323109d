import { pgErrorCode, SqlDatabase, SqlExecutor } from '@refund-desk/database';
import { EventStore, LogCheckpoint, RecordedEvent } from '@refund-desk/event-store';
import { GenerationStatus, moveCheckpoint } from './checkpoints';
import { CheckpointMovedError, tableNames } from './generations';
import { Projection } from './projection';

/** A generation of a read model that one writer moves forward; `checkpoint` is where it left it. */
export interface ProjectionTarget {
  readonly projection: Projection;
  readonly generation: number;
  readonly status: GenerationStatus;
  checkpoint: LogCheckpoint | null;
}

export interface BatchLogger {
  error(entry: Record<string, unknown>): void;
}

/**
 * A failure worth retrying later (the database is unreachable, a deadlock), as opposed to an
 * event this projection cannot digest, which is set aside so the read model keeps moving.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof CheckpointMovedError) return true;
  const code = pgErrorCode(error);
  if (code === undefined) return false;
  if (!/^[0-9A-Z]{5}$/.test(code)) return true; // ECONNREFUSED, ETIMEDOUT and friends
  return ['08', '40', '53', '57', '58', 'XX'].includes(code.slice(0, 2));
}

/**
 * Writes batches of the log into read-model generations: rows and checkpoint in one transaction,
 * and only if the checkpoint row is still where this writer left it (compare-and-set), so two
 * writers of one generation, or a writer racing a swap, can never apply an event twice.
 */
export class BatchApplier {
  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly logger: BatchLogger,
  ) {}

  /**
   * Applies a batch to every target in one transaction and moves their checkpoints to
   * `checkpoint`; returns the events applied, by read model.
   */
  async apply(targets: readonly ProjectionTarget[], events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<Map<string, number>> {
    const applied = new Map<string, number>();
    try {
      await this.db.transaction(async (tx) => {
        for (const target of targets) {
          applied.set(target.projection.name, await this.applyTo(tx, target, this.relevant(target, events), checkpoint, events));
        }
      });
    } catch (error) {
      if (isTransientError(error) || events.length === 0) throw error;
      // Only the target that cannot digest an event should pay for it: each on its own, event by event.
      for (const target of targets) {
        applied.set(target.projection.name, await this.applyOneByOne(target, this.relevant(target, events), checkpoint, events));
      }
      return applied;
    }
    for (const target of targets) target.checkpoint = this.later(target.checkpoint, checkpoint);
    return applied;
  }

  /** A read model ahead of the batch (just swapped in by a rebuild) keeps its checkpoint. */
  private later(a: LogCheckpoint | null, b: LogCheckpoint): LogCheckpoint {
    return this.store.compareCheckpoints(a, b) > 0 ? a! : b;
  }

  private relevant(target: ProjectionTarget, events: readonly RecordedEvent[]): RecordedEvent[] {
    const types = new Set(target.projection.eventTypes);
    return events.filter(
      (event) => types.has(event.type) && this.store.compareCheckpoints(event.checkpoint, target.checkpoint) > 0,
    );
  }

  private async applyTo(
    tx: SqlExecutor,
    target: ProjectionTarget,
    events: readonly RecordedEvent[],
    checkpoint: LogCheckpoint,
    batch: readonly RecordedEvent[],
  ): Promise<number> {
    const { projection, generation } = target;
    if (events.length > 0) await projection.apply(events, tx, tableNames(projection, generation));
    // Compare-and-set: the update locks the row and re-checks it, so a writer that lost the race
    // (another writer, a swap) moves nothing and its whole transaction rolls back.
    const ahead = this.store.compareCheckpoints(target.checkpoint, checkpoint) > 0;
    const last = ahead ? undefined : batch[batch.length - 1];
    if (!(await moveCheckpoint(tx, target, this.later(target.checkpoint, checkpoint), last, events.length))) {
      throw new CheckpointMovedError(projection.name, generation, `no longer ${target.status} at ${target.checkpoint}`);
    }
    return events.length;
  }

  /** After a batch failed: each event on its own, so only the one that cannot be applied is set aside. */
  private async applyOneByOne(
    target: ProjectionTarget,
    events: readonly RecordedEvent[],
    checkpoint: LogCheckpoint,
    batch: readonly RecordedEvent[],
  ): Promise<number> {
    const { projection, generation } = target;
    let applied = 0;
    for (const event of events) {
      try {
        await this.db.transaction((tx) => this.applyTo(tx, target, [event], event.checkpoint, [event]));
        applied += 1;
      } catch (error) {
        if (isTransientError(error)) throw error;
        this.logger.error({
          msg: 'projection skipped an event it cannot apply',
          projection: projection.name,
          generation,
          position: event.position,
          eventId: event.eventId,
          type: event.type,
          err: error,
        });
        await this.db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO projection_failures (name, position, event_id, event_type, error) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name, event_id) DO UPDATE SET error = EXCLUDED.error, failed_at = now()`,
            [projection.name, event.position, event.eventId, event.type, String((error as Error)?.message ?? error)],
          );
          await this.applyTo(tx, target, [], event.checkpoint, [event]);
        });
      }
      target.checkpoint = event.checkpoint;
    }
    await this.db.transaction((tx) => this.applyTo(tx, target, [], checkpoint, batch));
    target.checkpoint = this.later(target.checkpoint, checkpoint);
    return applied;
  }
}
