import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { pgErrorCode, SqlDatabase } from '@refund-desk/database';
import { EventStore, LogCheckpoint, RecordedEvent, runCatchUp } from '@refund-desk/event-store';
import { loadCheckpoint, saveCheckpoint } from './checkpoints';
import { Projection } from './projection';

export interface ProjectionStatus {
  readonly name: string;
  readonly checkpoint: LogCheckpoint | null;
  readonly position: number | null;
  readonly lagEvents: number;
  readonly lagSeconds: number;
}

export interface ProjectionRunnerOptions {
  readonly batchSize: number;
  readonly idleWaitMs: number;
}

/**
 * A failure worth retrying later (the database is unreachable, a deadlock), as opposed to an
 * event this projection cannot digest, which is set aside so the read model keeps moving.
 */
export function isTransientError(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code === undefined) return false;
  if (!/^[0-9A-Z]{5}$/.test(code)) return true; // ECONNREFUSED, ETIMEDOUT and friends
  return ['08', '40', '53', '57', '58', 'XX'].includes(code.slice(0, 2));
}

/** Runs each projection in its own checkpointed catch-up loop; rows and checkpoint commit together. */
export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private readonly committed = new EventEmitter();
  private controller?: AbortController;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = { batchSize: 500, idleWaitMs: 250 },
  ) {
    this.committed.setMaxListeners(0);
  }

  get running(): boolean {
    return this.controller !== undefined && !this.controller.signal.aborted;
  }

  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loops = this.projections.map((projection) =>
      runCatchUp(
        this.store,
        {
          name: projection.name,
          batchSize: this.options.batchSize,
          idleWaitMs: this.options.idleWaitMs,
          types: projection.eventTypes,
          loadCheckpoint: async () => (await loadCheckpoint(this.db, projection.name)).checkpoint,
          handle: (events, checkpoint) => this.applyBatch(projection, events, checkpoint),
          onError: (error, attempt) =>
            this.logger.error({ msg: 'projection batch failed; retrying', projection: projection.name, attempt, err: error }),
        },
        controller.signal,
      ),
    );
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  /** Applies one batch and moves the checkpoint in the same transaction; odd events are set aside. */
  async applyBatch(projection: Projection, events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<void> {
    const last = events[events.length - 1];
    try {
      await this.db.transaction(async (tx) => {
        if (events.length > 0) await projection.apply(events, tx);
        await saveCheckpoint(tx, projection.name, checkpoint, last, events.length);
      });
    } catch (error) {
      if (isTransientError(error) || events.length === 0) throw error;
      await this.applyOneByOne(projection, events, checkpoint);
    }
    this.committed.emit(projection.name);
  }

  private async applyOneByOne(projection: Projection, events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<void> {
    for (const [index, event] of events.entries()) {
      const eventCheckpoint = index === events.length - 1 ? checkpoint : event.checkpoint;
      try {
        await this.db.transaction(async (tx) => {
          await projection.apply([event], tx);
          await saveCheckpoint(tx, projection.name, eventCheckpoint, event, 1);
        });
      } catch (error) {
        if (isTransientError(error)) throw error;
        this.logger.error({
          msg: 'projection skipped an event it cannot apply',
          projection: projection.name,
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
          await saveCheckpoint(tx, projection.name, eventCheckpoint, event, 0);
        });
      }
    }
  }

  /**
   * Waits until the projection has applied everything up to `target` (read-your-writes for
   * tools); false when the timeout passes first. Works across processes: it reads the table.
   */
  async waitFor(name: string, target: LogCheckpoint | null, timeoutMs: number): Promise<boolean> {
    if (target === null) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { checkpoint } = await loadCheckpoint(this.db, name);
      if (this.store.compareCheckpoints(checkpoint, target) >= 0) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.committed.off(name, done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 50));
        this.committed.once(name, done);
      });
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.head();
    return Promise.all(
      this.projections.map(async (projection) => {
        const stored = await loadCheckpoint(this.db, projection.name);
        const behind = this.store.compareCheckpoints(head.checkpoint, stored.checkpoint) > 0;
        const lagEvents = behind && head.position !== null ? Math.max(1, head.position - (stored.position ?? 0)) : 0;
        const lagSeconds =
          behind && head.recordedAt
            ? Math.max(0, (Date.parse(head.recordedAt) - Date.parse(stored.lastRecordedAt ?? head.recordedAt)) / 1000)
            : 0;
        return { name: projection.name, checkpoint: stored.checkpoint, position: stored.position, lagEvents, lagSeconds };
      }),
    );
  }
}
