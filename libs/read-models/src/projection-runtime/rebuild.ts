import { SqlDatabase } from '@refund-desk/database';
import { LogCheckpoint, ReadAllResult, SealedEventLog } from '@refund-desk/event-store';
import { BatchApplier, BatchLogger, ProjectionTarget } from './batch-applier';
import { CheckpointMovedError, indexGeneration, prepareRebuild, swapGeneration } from './generations';
import { Projection } from './projection';

export interface RebuildProgress {
  readonly readModels: readonly string[];
  readonly phase: 'building' | 'swapping' | 'done';
  /** Events read from the log by this run (a resumed run counts from where it resumed). */
  readonly eventsRead: number;
  /** Events handed to the projections by this run. */
  readonly eventsApplied: number;
  /** Global position of the last event read, and of the log's head when last looked at. */
  readonly position: number | null;
  readonly headPosition: number | null;
  readonly eventsPerSecond: number;
  readonly elapsedSeconds: number;
  readonly generations: Readonly<Record<string, number>>;
}

/**
 * Events per committed batch. Larger batches spend less per event on statements and commits;
 * this is where the gain levels off for the read models here, with short transactions still.
 */
export const REBUILD_BATCH_SIZE = 5_000;

export interface RebuildOptions {
  /** Events per committed batch; REBUILD_BATCH_SIZE when absent. */
  readonly batchSize?: number;
  /** Throw away an interrupted rebuild's tables instead of resuming them. */
  readonly restart?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly logger?: BatchLogger;
}

const MAX_SWAP_ATTEMPTS = 5;

const smallest = (store: SealedEventLog, checkpoints: readonly (LogCheckpoint | null)[]): LogCheckpoint | null =>
  checkpoints.reduce((min, cp) => (store.compareCheckpoints(cp, min) < 0 ? cp : min));

/**
 * Rebuilds read models from the log into fresh generations while the live ones keep serving,
 * then swaps each in atomically. One pass over the log feeds every read model asked for. Each
 * batch commits with its checkpoint, so a killed rebuild resumes where it stopped (and holds no
 * long transaction that would keep other catch-up readers behind).
 */
export async function rebuildReadModels(
  db: SqlDatabase,
  store: SealedEventLog,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? REBUILD_BATCH_SIZE;
  const logger = options.logger ?? { error: (entry: Record<string, unknown>) => console.error(JSON.stringify(entry)) };
  const applier = new BatchApplier(db, store, logger);
  const started = Date.now();
  const targets: ProjectionTarget[] = [];
  for (const projection of projections) {
    const row = await prepareRebuild(db, projection, options.restart);
    targets.push({ projection, generation: row.generation, status: 'building', checkpoint: row.checkpoint });
  }
  const types = [...new Set(projections.flatMap((projection) => projection.eventTypes))];
  let eventsRead = 0;
  let eventsApplied = 0;
  let position: number | null = null;
  let headPosition: number | null = (await store.head()).position;
  const progress = (phase: RebuildProgress['phase']): RebuildProgress => {
    const elapsedSeconds = (Date.now() - started) / 1000;
    return {
      readModels: projections.map((p) => p.name),
      phase,
      eventsRead,
      eventsApplied,
      position,
      headPosition: Math.max(headPosition ?? 0, position ?? 0) || null,
      eventsPerSecond: elapsedSeconds > 0 ? Math.round(eventsRead / elapsedSeconds) : 0,
      elapsedSeconds,
      generations: Object.fromEntries(targets.map((t) => [t.projection.name, t.generation])),
    };
  };

  const pending = [...targets];
  const read = (after: LogCheckpoint | null): Promise<ReadAllResult> => store.readAll({ after, limit: batchSize, types });
  interface Batch {
    readonly page: ReadAllResult;
    readonly done: Promise<Map<string, number>>;
    readonly behind: boolean;
  }
  const settle = async (batch: Batch): Promise<void> => {
    let applied: Map<string, number>;
    try {
      applied = await batch.done;
    } catch (error) {
      // The batch before did not commit as one (it set an event aside and went event by event):
      // this one, prepared behind it, is applied again on its own.
      if (!batch.behind || !(error instanceof CheckpointMovedError)) throw error;
      applied = await applier.apply(pending, batch.page.events, batch.page.checkpoint!);
    }
    for (const n of applied.values()) eventsApplied += n;
    eventsRead += batch.page.events.length;
    const last = batch.page.events[batch.page.events.length - 1];
    if (last) position = last.position;
    options.onProgress?.(progress('building'));
  };
  /**
   * Reads the log ahead of the batch being applied, and applies the next batch behind it in a
   * transaction of its own: that transaction waits on the checkpoint rows until the one before
   * commits, so the database works through one batch while this process prepares the next.
   * Checkpoints still move one committed batch at a time, in log order.
   */
  const catchUp = async (): Promise<void> => {
    let next: { after: LogCheckpoint | null; page: Promise<ReadAllResult> } | undefined;
    let inFlight: Batch | undefined;
    try {
      for (;;) {
        if (options.signal?.aborted) throw new Error('rebuild aborted');
        const after = inFlight ? inFlight.page.checkpoint : smallest(store, pending.map((t) => t.checkpoint));
        const page = await (next && store.compareCheckpoints(next.after, after) === 0 ? next.page : read(after));
        next = undefined;
        const moved = page.checkpoint !== null && store.compareCheckpoints(page.checkpoint, after) > 0;
        if (!moved) break;
        const full = page.events.length >= batchSize;
        if (full) {
          next = { after: page.checkpoint, page: read(page.checkpoint) };
          next.page.catch(() => undefined);
        }
        const behind = inFlight && { done: inFlight.done, checkpoint: inFlight.page.checkpoint! };
        const batch: Batch = { page, behind: behind !== undefined, done: applier.apply(pending, page.events, page.checkpoint!, behind) };
        batch.done.catch(() => undefined);
        const previous = inFlight;
        inFlight = batch;
        if (previous) await settle(previous);
        if (!full) break;
      }
      if (inFlight) await settle(inFlight);
      inFlight = undefined;
    } finally {
      // Nothing may still be running when the caller closes the database.
      await inFlight?.done.catch(() => undefined);
      await next?.page.catch(() => undefined);
    }
  };

  for (let attempt = 1; pending.length > 0; attempt++) {
    await catchUp();
    headPosition = (await store.head()).position;
    options.onProgress?.(progress('swapping'));
    for (const target of [...pending]) {
      try {
        await indexGeneration(db, target.projection, target.generation);
        await swapGeneration(db, target.projection, target);
        pending.splice(pending.indexOf(target), 1);
      } catch (error) {
        // Another writer of this generation moved it on: read where it is and catch up again.
        if (!(error instanceof CheckpointMovedError) || attempt >= MAX_SWAP_ATTEMPTS) throw error;
        const row = await prepareRebuild(db, target.projection);
        target.checkpoint = row.checkpoint;
      }
    }
  }
  return progress('done');
}
