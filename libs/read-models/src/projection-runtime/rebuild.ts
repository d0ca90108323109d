import { LeaseLostError, REPLICA_ID, SqlDatabase } from '@refund-desk/database';
import { LogCheckpoint, ReadAllResult, SealedEventLog } from '@refund-desk/event-store';
import { BatchApplier, BatchLogger, ProjectionTarget } from './batch-applier';
import { loadGenerations } from './checkpoints';
import { CheckpointMovedError, Fence, indexGeneration, prepareRebuild, swapGeneration } from './generations';
import { Projection } from './projection';
import { REBUILD_LEASE_TTL_MS, RebuildLeases } from './rebuild-leases';

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

/**
 * Transactions side by side per batch on PostgreSQL. With the next batch waiting behind the one
 * committing, a rebuild holds up to twice this many connections (and one to read the log), so
 * the pool of a service that rebuilds in-process keeps room for its other work.
 */
export const REBUILD_TRANSACTIONS = 3;

export interface RebuildOptions {
  /** Events per committed batch; REBUILD_BATCH_SIZE when absent. */
  readonly batchSize?: number;
  /** Transactions side by side per batch (PostgreSQL; PGlite has one connection); REBUILD_TRANSACTIONS when absent. */
  readonly transactions?: number;
  /** Throw away an interrupted rebuild's tables instead of resuming them. */
  readonly restart?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly logger?: BatchLogger;
  /**
   * The read models' rebuild leases, already taken (RebuildLeases.acquire): the rebuild keeps and
   * releases them. Absent, the rebuild takes them itself, as `holder` for `leaseTtlMs`.
   */
  readonly leases?: RebuildLeases;
  /** Who rebuilds, in the lease table: this process (REPLICA_ID) when absent. */
  readonly holder?: string;
  /** How long the leases run without renewal; REBUILD_LEASE_TTL_MS when absent. */
  readonly leaseTtlMs?: number;
}

const MAX_SWAP_ATTEMPTS = 5;

/** Times in a row the catch-up may go on from the stored checkpoints without reading anything new. */
const MAX_RESUMES = 3;

const consoleLogger: BatchLogger = {
  error: (entry) => console.error(JSON.stringify({ level: 'error', ...entry })),
  warn: (entry) => console.error(JSON.stringify({ level: 'warn', ...entry })),
};

/**
 * Rebuilds read models from the log into fresh generations while the live ones keep serving,
 * then swaps each in atomically. One pass over the log feeds every read model asked for. Each
 * batch commits with its checkpoint, so a killed rebuild resumes where it stopped (and holds no
 * long transaction that would keep other catch-up readers behind). The steps, and what each
 * leaves behind after a crash, are described in this folder's README.
 */
export async function rebuildReadModels(
  db: SqlDatabase,
  store: SealedEventLog,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  // One process at a time per read model, across replicas and the CLI: refused (RebuildBusyError)
  // before anything is touched when another holds one of the leases.
  const leases =
    options.leases ??
    (await RebuildLeases.acquire(
      db,
      projections.map((projection) => projection.name),
      { holder: options.holder ?? REPLICA_ID, ttlMs: options.leaseTtlMs ?? REBUILD_LEASE_TTL_MS },
    ));
  // Stopped by the caller, or by a lease lost (the reason is then the LeaseLostError).
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  leases.keep((lost) => stop.abort(lost));
  try {
    return await rebuildUnderLease(db, store, projections, options, stop.signal, leases.fence);
  } catch (error) {
    // A write refused by the fence and a refused renewal say the same: another process rebuilds now.
    throw stop.signal.reason instanceof LeaseLostError && !(error instanceof LeaseLostError) ? stop.signal.reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await leases.release();
  }
}

async function rebuildUnderLease(
  db: SqlDatabase,
  store: SealedEventLog,
  projections: readonly Projection[],
  options: RebuildOptions,
  signal: AbortSignal,
  fence: Fence,
): Promise<RebuildProgress> {
  const started = Date.now();
  const targets = await openBuildingGenerations(db, projections, options.restart, fence);
  const meter = new ProgressMeter(started, targets, (await store.head()).position);
  const pending = [...targets];
  const applier = new BatchApplier(db, store, options.logger ?? consoleLogger);
  // Every batch commits only while this process still holds every lease.
  applier.fence = fence;
  const catchUp = new PipelinedCatchUp(store, applier, pending, {
    batchSize: options.batchSize ?? REBUILD_BATCH_SIZE,
    // PGlite has one connection: there transactions side by side would only queue.
    transactions: db.kind === 'postgres' ? (options.transactions ?? REBUILD_TRANSACTIONS) : 1,
    signal,
    onBatch: (page, applied) => {
      meter.batchCommitted(page, applied);
      options.onProgress?.(meter.report('building'));
    },
  });
  const logger = options.logger ?? consoleLogger;
  for (let attempt = 1, resumed = 0; pending.length > 0; ) {
    const readBefore = meter.read;
    try {
      await catchUp.run();
    } catch (error) {
      // Every batch commits with its checkpoint and only from where it found it, so the stored
      // checkpoints are always true: going on from them is what a run started again would do.
      resumed = meter.read > readBefore ? 1 : resumed + 1;
      if (!(error instanceof CheckpointMovedError) || resumed > MAX_RESUMES) throw error;
      (logger.warn ?? logger.error).call(logger, { msg: 'rebuild found a checkpoint not where it left it; going on from the stored checkpoints', detail: error.message });
      await resumeFromStored(db, pending, error);
      continue;
    }
    meter.headAt((await store.head()).position);
    options.onProgress?.(meter.report('swapping'));
    await swapInCaughtUp(db, pending, attempt++, fence);
  }
  return meter.report('done');
}

/** Step 1: the generation each read model is rebuilt into, resumed where an interrupted rebuild left it. */
async function openBuildingGenerations(db: SqlDatabase, projections: readonly Projection[], restart: boolean | undefined, fence: Fence): Promise<ProjectionTarget[]> {
  const targets: ProjectionTarget[] = [];
  for (const projection of projections) {
    const row = await prepareRebuild(db, projection, restart, fence);
    targets.push({ projection, generation: row.generation, status: 'building', checkpoint: row.checkpoint });
  }
  return targets;
}

/**
 * Sets each pending generation's checkpoint to the stored one. The rebuild leases keep other
 * writers out, so a generation that is gone or no longer building means something else is wrong:
 * `cause` is thrown then.
 */
async function resumeFromStored(db: SqlDatabase, pending: readonly ProjectionTarget[], cause: Error): Promise<void> {
  const rows = await loadGenerations(db, pending.map((target) => target.projection.name));
  for (const target of pending) {
    const row = rows.find((r) => r.name === target.projection.name && r.generation === target.generation);
    if (row?.status !== 'building') throw cause;
    target.checkpoint = row.checkpoint;
  }
}

/**
 * Step 3: gives each caught-up generation its indexes and swaps it in, taking it off `pending`.
 * One another writer moved meanwhile stays pending from where it now stands, to catch up again.
 */
async function swapInCaughtUp(db: SqlDatabase, pending: ProjectionTarget[], attempt: number, fence: Fence): Promise<void> {
  for (const target of [...pending]) {
    try {
      await indexGeneration(db, target.projection, target.generation, fence);
      await swapGeneration(db, target.projection, target, fence);
      pending.splice(pending.indexOf(target), 1);
    } catch (error) {
      if (!(error instanceof CheckpointMovedError) || attempt >= MAX_SWAP_ATTEMPTS) throw error;
      await resumeFromStored(db, [target], error);
    }
  }
}

/** What a rebuild run has done so far, as RebuildProgress. */
class ProgressMeter {
  private eventsRead = 0;
  private eventsApplied = 0;
  private position: number | null = null;

  constructor(
    private readonly started: number,
    private readonly targets: readonly ProjectionTarget[],
    private headPosition: number | null,
  ) {}

  batchCommitted(page: ReadAllResult, applied: ReadonlyMap<string, number>): void {
    for (const n of applied.values()) this.eventsApplied += n;
    this.eventsRead += page.events.length;
    const last = page.events[page.events.length - 1];
    if (last) this.position = last.position;
  }

  /** Events read so far by this run. */
  get read(): number {
    return this.eventsRead;
  }

  headAt(position: number | null): void {
    this.headPosition = position;
  }

  report(phase: RebuildProgress['phase']): RebuildProgress {
    const elapsedSeconds = (Date.now() - this.started) / 1000;
    return {
      readModels: this.targets.map((t) => t.projection.name),
      phase,
      eventsRead: this.eventsRead,
      eventsApplied: this.eventsApplied,
      position: this.position,
      headPosition: Math.max(this.headPosition ?? 0, this.position ?? 0) || null,
      eventsPerSecond: elapsedSeconds > 0 ? Math.round(this.eventsRead / elapsedSeconds) : 0,
      elapsedSeconds,
      generations: Object.fromEntries(this.targets.map((t) => [t.projection.name, t.generation])),
    };
  }
}

/** A page of the log handed to the applier; `done` settles when its transaction has. */
interface Batch {
  readonly page: ReadAllResult;
  readonly done: Promise<Map<string, number>>;
}

interface CatchUpOptions {
  readonly batchSize: number;
  /** Transactions side by side per batch, the read models dealt among them (BatchApplier.applySeparately). */
  readonly transactions: number;
  readonly signal?: AbortSignal;
  /** After each batch has committed, in log order. */
  readonly onBatch: (page: ReadAllResult, applied: ReadonlyMap<string, number>) => void;
}

/**
 * Step 2: brings the pending generations up to the log's head. Reads the log ahead of the batch
 * being applied, and applies the next batch behind it in a transaction of its own: that
 * transaction waits on the checkpoint rows until the one before commits, so the database works
 * through one batch while this process prepares the next. Checkpoints still move one committed
 * batch at a time, in log order.
 */
class PipelinedCatchUp {
  private readonly types: string[];

  constructor(
    private readonly store: SealedEventLog,
    private readonly applier: BatchApplier,
    private readonly pending: ProjectionTarget[],
    private readonly options: CatchUpOptions,
  ) {
    this.types = [...new Set(pending.flatMap((target) => target.projection.eventTypes))];
  }

  async run(): Promise<void> {
    const { batchSize, signal } = this.options;
    let next: { after: LogCheckpoint | null; page: Promise<ReadAllResult> } | undefined;
    let inFlight: Batch | undefined;
    try {
      for (;;) {
        if (signal?.aborted) throw signal.reason instanceof LeaseLostError ? signal.reason : new Error('rebuild aborted');
        const after = inFlight ? inFlight.page.checkpoint : this.slowestCheckpoint();
        const page = await (next && this.store.compareCheckpoints(next.after, after) === 0 ? next.page : this.read(after));
        next = undefined;
        const moved = page.checkpoint !== null && this.store.compareCheckpoints(page.checkpoint, after) > 0;
        if (!moved) break;
        const full = page.events.length >= batchSize;
        if (full) {
          next = { after: page.checkpoint, page: this.read(page.checkpoint) };
          next.page.catch(() => undefined);
        }
        const batch = this.applyBehind(page, inFlight);
        const previous = inFlight;
        inFlight = batch;
        if (previous) await this.settle(previous);
        if (!full) break;
      }
      if (inFlight) await this.settle(inFlight);
      inFlight = undefined;
    } finally {
      // Nothing may still be running when the caller closes the database.
      await inFlight?.done.catch(() => undefined);
      await next?.page.catch(() => undefined);
    }
  }

  private read(after: LogCheckpoint | null): Promise<ReadAllResult> {
    return this.store.readAll({ after, limit: this.options.batchSize, types: this.types });
  }

  /** Where the generation furthest behind stands: the log is read from there. */
  private slowestCheckpoint(): LogCheckpoint | null {
    return this.pending
      .map((target) => target.checkpoint)
      .reduce((min, cp) => (this.store.compareCheckpoints(cp, min) < 0 ? cp : min));
  }

  /** Starts applying a page, behind the batch in flight if there is one. */
  private applyBehind(page: ReadAllResult, inFlight: Batch | undefined): Batch {
    const behind = inFlight && { done: inFlight.done, checkpoint: inFlight.page.checkpoint! };
    const batch: Batch = {
      page,
      done: this.applier.applySeparately(this.pending, page.events, page.checkpoint!, this.options.transactions, behind),
    };
    batch.done.catch(() => undefined);
    return batch;
  }

  private async settle(batch: Batch): Promise<void> {
    this.options.onBatch(batch.page, await batch.done);
  }
}
