import { LeaseLostError, pgErrorCode, SqlDatabase, SqlExecutor } from '@refund-desk/database';
import { isStoreUnavailable, LogCheckpoint, RecordedEvent, SealedEventLog } from '@refund-desk/event-store';
import { claimGenerations, GenerationStatus, moveCheckpoint } from './checkpoints';
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
  warn?(entry: Record<string, unknown>): void;
}

/**
 * A failure worth retrying later (the database is unreachable, a deadlock), as opposed to an
 * event this projection cannot digest, which is set aside so the read model keeps moving.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof CheckpointMovedError) return true;
  // A dropped connection has no SQLSTATE ("Connection terminated unexpectedly"): without this it
  // would be taken for an event the projection cannot apply, and that event skipped for good.
  if (isStoreUnavailable(error)) return true;
  const code = pgErrorCode(error);
  if (code === undefined) return false;
  if (!/^[0-9A-Z]{5}$/.test(code)) return true; // ECONNREFUSED, ETIMEDOUT and friends
  return ['08', '40', '53', '57', '58', 'XX'].includes(code.slice(0, 2));
}

/** A batch being applied, for the next one to be applied behind it. */
export interface BatchInFlight {
  /** Settles once that batch is committed, or has failed. */
  readonly done: Promise<unknown>;
  /** Where it moves the checkpoints. */
  readonly checkpoint: LogCheckpoint;
}

/**
 * Waits for every task, then fails with the error that came first: once a statement fails, the
 * others' fail only because the transaction is aborted, and none may still be running when the
 * transaction rolls back and its connection goes back to the pool.
 */
async function settleAll(tasks: readonly Promise<unknown>[]): Promise<void> {
  let first: { error: unknown } | undefined;
  await Promise.all(tasks.map((task) => task.catch((error: unknown) => void (first ??= { error }))));
  if (first) throw first.error;
}

/** Waits for the batch in flight, if any; true unless it failed. */
function settledWell(behind: BatchInFlight | undefined): Promise<boolean> {
  return behind ? behind.done.then(() => true, () => false) : Promise.resolve(true);
}

/**
 * Writes batches of the log into read-model generations: rows and checkpoint in one transaction,
 * and only if the checkpoint row is still where this writer left it (compare-and-set), so two
 * writers of one generation, or a writer racing a swap, can never apply an event twice.
 */
export class BatchApplier {
  /**
   * Set while this writer leads under a lease: run first in every batch's transaction, it refuses
   * the batch (LeaseLostError) once another replica has taken over, and makes a takeover wait
   * for a batch already committing.
   */
  fence: ((tx: SqlExecutor) => Promise<void>) | null = null;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: SealedEventLog,
    private readonly logger: BatchLogger,
  ) {}

  private fenced<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const fence = this.fence;
    return this.db.transaction(async (tx) => {
      if (fence) await fence(tx);
      return work(tx);
    });
  }

  /**
   * Applies a batch to every target in one transaction and moves their checkpoints to
   * `checkpoint`; returns the events applied, by read model. With `behind`, the batch is applied
   * behind one still in flight: its transaction waits for that one to commit, and fails with
   * CheckpointMovedError if it did not leave the checkpoints where it said it would.
   */
  async apply(
    targets: readonly ProjectionTarget[],
    events: readonly RecordedEvent[],
    checkpoint: LogCheckpoint,
    behind?: BatchInFlight,
  ): Promise<Map<string, number>> {
    const from = targets.map((target) => (behind ? this.later(target.checkpoint, behind.checkpoint) : target.checkpoint));
    const applied = new Map<string, number>();
    try {
      await this.fenced(async (tx) => {
        // Every checkpoint row is locked first, in one order: another writer of these generations,
        // or the batch behind this one, waits there before touching a row, then finds where they
        // stand. Nothing is written before that; meanwhile the projections prepare their rows.
        const claimed = claimGenerations(tx, targets, from).then((moved) => {
          if (moved >= 0) throw this.moved(targets[moved], from[moved]);
        });
        const afterClaim: SqlExecutor = { query: (sql, params, options) => claimed.then(() => tx.query(sql, params, options)) };
        const relevant = this.relevantTo(targets, from, events);
        // The projections write disjoint tables, so they run side by side on the connection: one
        // folds its rows in this process while the database executes another's statements.
        await settleAll([claimed, ...targets.map((target, i) => this.project(afterClaim, target, relevant[i]))]);
        await settleAll(targets.map((target, i) => this.moveTo(tx, target, from[i], relevant[i].length, checkpoint, events)));
        for (const [i, target] of targets.entries()) applied.set(target.projection.name, relevant[i].length);
      });
    } catch (error) {
      // The fallback below starts from where the batch in flight leaves the checkpoints; when that
      // batch failed, they stand before its events, and going on from there would skip them.
      if (!(await settledWell(behind)) || isTransientError(error) || error instanceof LeaseLostError || events.length === 0) throw error;
      // Only the target that cannot digest an event should pay for it: each on its own, event by event.
      for (const target of targets) {
        applied.set(target.projection.name, await this.applyOneByOne(target, this.relevant(target, events), checkpoint, events));
      }
      return applied;
    }
    for (const [i, target] of targets.entries()) target.checkpoint = this.later(from[i], checkpoint);
    return applied;
  }

  /**
   * Applies a batch in `transactions` transactions side by side, on separate connections, the
   * targets dealt among them: the database then writes several read models at once, where one
   * transaction keeps it to one backend and one core. Each target moves only its own checkpoint,
   * so a transaction that fails or sets an event aside holds back none of the others; the first
   * failure is thrown once every transaction has settled. Without `transactions` > 1, one
   * transaction as `apply`.
   */
  async applySeparately(
    targets: readonly ProjectionTarget[],
    events: readonly RecordedEvent[],
    checkpoint: LogCheckpoint,
    transactions: number,
    behind?: BatchInFlight,
  ): Promise<Map<string, number>> {
    const groups = Array.from({ length: Math.max(1, Math.min(transactions, targets.length)) }, () => [] as ProjectionTarget[]);
    targets.forEach((target, i) => groups[i % groups.length].push(target));
    const settled = await Promise.allSettled(groups.map((group) => this.applyBehind(group, events, checkpoint, behind)));
    const applied = new Map<string, number>();
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      for (const [name, n] of result.value) applied.set(name, n);
    }
    return applied;
  }

  /**
   * Applies behind the batch in flight; when the checkpoints were not where that one said it
   * would leave them (this transaction claimed them first, or that batch set an event aside and
   * went event by event), applies again on its own from where that batch left them. Not when that
   * batch failed: its events were never applied, and this batch would go on past them.
   */
  private async applyBehind(
    targets: readonly ProjectionTarget[],
    events: readonly RecordedEvent[],
    checkpoint: LogCheckpoint,
    behind?: BatchInFlight,
  ): Promise<Map<string, number>> {
    try {
      return await this.apply(targets, events, checkpoint, behind);
    } catch (error) {
      if (!behind || !(error instanceof CheckpointMovedError) || !(await settledWell(behind))) throw error;
      return this.apply(targets, events, checkpoint);
    }
  }

  private moved(target: ProjectionTarget, from: LogCheckpoint | null): CheckpointMovedError {
    return new CheckpointMovedError(target.projection.name, target.generation, `no longer ${target.status} at ${from}`);
  }

  /** A read model ahead of the batch (just swapped in by a rebuild) keeps its checkpoint. */
  private later(a: LogCheckpoint | null, b: LogCheckpoint): LogCheckpoint {
    return this.store.compareCheckpoints(a, b) > 0 ? a! : b;
  }

  /** The events each target gets after `from`; targets at one checkpoint (the usual case) compare it once. */
  private relevantTo(targets: readonly ProjectionTarget[], from: readonly (LogCheckpoint | null)[], events: readonly RecordedEvent[]): RecordedEvent[][] {
    const after = new Map<LogCheckpoint | null, boolean[]>();
    return targets.map((target, t) => {
      let past = after.get(from[t]);
      if (!past) {
        past = events.map((event) => this.store.compareCheckpoints(event.checkpoint, from[t]) > 0);
        after.set(from[t], past);
      }
      const types = new Set(target.projection.eventTypes);
      return events.filter((event, i) => past[i] && types.has(event.type));
    });
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
    await this.project(tx, target, events);
    await this.moveTo(tx, target, target.checkpoint, events.length, checkpoint, batch);
    return events.length;
  }

  private async project(tx: SqlExecutor, target: ProjectionTarget, events: readonly RecordedEvent[]): Promise<void> {
    if (events.length > 0) await target.projection.apply(events, tx, tableNames(target.projection, target.generation));
  }

  /** Moves the target's checkpoint from `from` (where this writer found it) to `checkpoint`. */
  private async moveTo(
    tx: SqlExecutor,
    target: ProjectionTarget,
    from: LogCheckpoint | null,
    applied: number,
    checkpoint: LogCheckpoint,
    batch: readonly RecordedEvent[],
  ): Promise<void> {
    // Compare-and-set: the update locks the row and re-checks it, so a writer that lost the race
    // (another writer, a swap) moves nothing and its whole transaction rolls back.
    const ahead = this.store.compareCheckpoints(from, checkpoint) > 0;
    const last = ahead ? undefined : batch[batch.length - 1];
    if (!(await moveCheckpoint(tx, { ...target, checkpoint: from }, this.later(from, checkpoint), last, applied))) {
      throw this.moved(target, from);
    }
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
        await this.fenced((tx) => this.applyTo(tx, target, [event], event.checkpoint, [event]));
        applied += 1;
      } catch (error) {
        if (isTransientError(error) || error instanceof LeaseLostError) throw error;
        this.logger.error({
          msg: 'projection skipped an event it cannot apply',
          projection: projection.name,
          generation,
          position: event.position,
          eventId: event.eventId,
          type: event.type,
          err: error,
        });
        await this.fenced(async (tx) => {
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
    await this.fenced((tx) => this.applyTo(tx, target, [], checkpoint, batch));
    target.checkpoint = this.later(target.checkpoint, checkpoint);
    return applied;
  }
}
