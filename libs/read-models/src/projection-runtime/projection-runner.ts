import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { assertLeaseHeld, Leadership, LeaseLostError, SqlDatabase } from '@refund-desk/database';
import { isStoreUnavailable, LogCheckpoint, runCatchUp, SealedEventLog } from '@refund-desk/event-store';
import { BatchApplier, ProjectionTarget } from './batch-applier';
import { GenerationRow, loadGenerations, loadLiveGeneration } from './checkpoints';
import { CheckpointMovedError } from './generations';
import { Projection } from './projection';


/** Most events counted for lag on stores whose positions are not event counts; /health reports it as a floor. */
const LAG_COUNT_LIMIT = 1_000;
export { isTransientError } from './batch-applier';

export interface ProjectionStatus {
  readonly name: string;
  readonly generation: number | null;
  readonly checkpoint: LogCheckpoint | null;
  /** Global position of the last event the live generation passed. */
  readonly position: number | null;
  /** Events in the log after the checkpoint (from global positions: an estimate when positions have gaps). */
  readonly lagEvents: number;
  /** Age of the oldest event not yet applied; 0 when caught up. */
  readonly lagSeconds: number;
  /** A rebuild in progress (or interrupted): the generation it fills and how far it got. */
  readonly rebuilding: { readonly generation: number; readonly position: number | null; readonly startedAt: string } | null;
}

export interface ProjectionRunnerOptions {
  readonly batchSize: number;
  readonly idleWaitMs: number;
  /**
   * Run the loop only while this replica holds the projections' lease, every batch fenced by it;
   * without one the loop runs whenever started (a single process, tests).
   */
  readonly leadership?: Leadership;
}

export interface BatchListener {
  (projection: string, events: number, seconds: number): void;
}

/**
 * Runs the projections in a checkpointed catch-up loop over their live generations; rows and
 * checkpoints commit together. When a rebuild swaps a generation the loop notices (the
 * checkpoint row moved) and carries on from the new generation's checkpoint.
 */
export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private readonly committed = new EventEmitter();
  private readonly applier: BatchApplier;
  private controller?: AbortController;
  private loop?: Promise<void>;
  private readonly listeners: BatchListener[] = [];

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: SealedEventLog,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = { batchSize: 500, idleWaitMs: 250 },
  ) {
    this.committed.setMaxListeners(0);
    this.applier = new BatchApplier(db, store, this.logger);
  }

  get running(): boolean {
    return this.controller !== undefined && !this.controller.signal.aborted;
  }

  /** Whether this replica moves the read models now: always when no lease is used, else while it leads. */
  get leading(): boolean {
    return this.running && (this.options.leadership?.isLeader ?? true);
  }

  /** Called after each committed batch (metrics). */
  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    const leadership = this.options.leadership;
    if (!leadership) {
      this.loop = this.run(controller.signal);
      return;
    }
    leadership.start(async (lease, signal) => {
      this.applier.fence = (tx) => assertLeaseHeld(tx, lease);
      try {
        await this.run(signal);
      } finally {
        this.applier.fence = null;
      }
    });
    this.loop = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Finishes the batch in flight (its checkpoint commits with it), then hands the lease over. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.options.leadership?.stop();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * One catch-up loop feeds every read model: one read of the log and one transaction per batch,
   * whatever the number of read models (on the embedded store every statement counts). Each read
   * model only gets the events after its own checkpoint, so after a swap they may stand apart.
   */
  private run(signal: AbortSignal): Promise<void> {
    let targets: ProjectionTarget[] = [];
    // A fenced batch refused: another replica leads now. This term ends; the lease loop decides what next.
    const term = new AbortController();
    signal.addEventListener('abort', () => term.abort(), { once: true });
    return runCatchUp(
      this.store,
      {
        name: 'projections',
        batchSize: this.options.batchSize,
        idleWaitMs: this.options.idleWaitMs,
        types: [...new Set(this.projections.flatMap((projection) => projection.eventTypes))],
        loadCheckpoint: async () => {
          const rows = await loadGenerations(this.db, this.projections.map((p) => p.name));
          targets = this.projections.map((projection) => {
            const live = rows.find((row) => row.name === projection.name && row.status === 'live');
            if (!live) throw new Error(`Read model ${projection.name} has no live generation; start the service to create it`);
            return { projection, generation: live.generation, status: 'live', checkpoint: live.checkpoint };
          });
          return targets.reduce<LogCheckpoint | null>(
            (min, t) => (this.store.compareCheckpoints(t.checkpoint, min) < 0 ? t.checkpoint : min),
            targets[0]?.checkpoint ?? null,
          );
        },
        handle: async (events, checkpoint) => {
          const started = process.hrtime.bigint();
          const applied = await this.applier.apply(targets, events, checkpoint);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          for (const [name, count] of applied) {
            this.committed.emit(name);
            for (const listener of this.listeners) listener(name, count, seconds);
          }
        },
        // A swap by a rebuild is expected: pick up the new generation at once and quietly.
        retryDelayMs: (attempt, error) => {
          if (error instanceof CheckpointMovedError) return 0;
          // While the database is away, keep trying every second so read models resume within
          // about a second of it coming back; other failures back off further.
          const cap = isStoreUnavailable(error) ? 1_000 : 30_000;
          return Math.min(cap, 100 * 2 ** Math.min(attempt, 9));
        },
        onError: (error, attempt) => {
          if (error instanceof LeaseLostError) {
            this.logger.warn({ msg: 'another replica leads the projections now; standing down', detail: error.message });
            term.abort();
            return;
          }
          if (error instanceof CheckpointMovedError) {
            this.logger.log({ msg: 'read model generation changed; continuing from its checkpoint', detail: error.message });
            return;
          }
          if (isStoreUnavailable(error)) {
            // Once per outage, not once a second.
            if (attempt === 1) this.logger.warn({ msg: 'store unavailable; projections retry every second until it is back', err: { message: (error as Error).message } });
            return;
          }
          this.logger.error({ msg: 'projection batch failed; retrying', attempt, err: error });
        },
      },
      term.signal,
    );
  }

  /**
   * Waits until the live generation of a read model has applied everything up to `target`
   * (read-your-writes for tools); false when the timeout passes first. Works across processes:
   * it reads the checkpoint table, and is woken early by batches committed in this process.
   */
  async waitFor(name: string, target: LogCheckpoint | null, timeoutMs: number): Promise<boolean> {
    if (target === null) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = await loadLiveGeneration(this.db, name);
      if (live && this.store.compareCheckpoints(live.checkpoint, target) >= 0) return true;
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

  /**
   * Read-your-writes by global position (what command responses carry): waits, within the
   * timeout, until the event at `position` is safely visible in the log and the read model has
   * applied it. False when the time runs out first, or the position is not in the log.
   */
  async waitForPosition(name: string, position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await this.store.checkpointAt(position);
      if (checkpoint !== null) return this.waitFor(name, checkpoint, Math.max(0, deadline - Date.now()));
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 25)));
    }
  }

  /**
   * Where each read model stands. Cheap enough for /health and /metrics: one query for the
   * checkpoints, the head, and for a read model that is behind, its oldest unapplied event.
   */
  async status(now: Date = new Date()): Promise<ProjectionStatus[]> {
    const names = this.projections.map((projection) => projection.name);
    const [head, rows] = await Promise.all([this.store.head(), loadGenerations(this.db, names)]);
    return Promise.all(
      names.map(async (name) => {
        const live = rows.find((row) => row.name === name && row.status === 'live');
        const building = rows.find((row) => row.name === name && row.status === 'building');
        const checkpoint = live?.checkpoint ?? null;
        let lagEvents = 0;
        let lagSeconds = 0;
        if (head.checkpoint !== null && this.store.compareCheckpoints(head.checkpoint, checkpoint) > 0) {
          const { events } = await this.store.readAll({ after: checkpoint, limit: this.store.positionsCountEvents ? 1 : LAG_COUNT_LIMIT });
          const oldest = events[0];
          if (oldest) {
            // Where positions are byte offsets the backlog is counted, up to LAG_COUNT_LIMIT.
            lagEvents = this.store.positionsCountEvents
              ? Math.max(1, (head.position ?? oldest.position) - oldest.position + 1)
              : events.length;
            lagSeconds = Math.max(0, (now.getTime() - Date.parse(oldest.recordedAt)) / 1000);
          }
        }
        return {
          name,
          generation: live?.generation ?? null,
          checkpoint,
          position: live?.position ?? null,
          lagEvents,
          lagSeconds,
          rebuilding: building ? rebuildingOf(building) : null,
        };
      }),
    );
  }
}

const rebuildingOf = (row: GenerationRow): ProjectionStatus['rebuilding'] => ({
  generation: row.generation,
  position: row.position,
  startedAt: row.startedAt,
});
