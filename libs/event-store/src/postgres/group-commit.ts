/** What one write of a batch gave each of its appends: its value or its own error. */
export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface GroupCommitOptions {
  /**
   * Batches written at the same time. While this many are on their way, new appends wait and
   * leave together in the next one: the wait for one durable commit is what they share.
   */
  readonly maxInFlight: number;
  /** Events in one batch at most: one statement's parameters stay a few hundred kilobytes. */
  readonly maxBatchEvents: number;
}

interface Pending<A, R> {
  readonly append: A;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for appends, as EventStoreDB batches the writes of one flush: appends that arrive
 * while earlier batches are being written are written together, in one transaction with one
 * commit. An append that finds a free slot leaves at once, so a lone append waits for nothing.
 *
 * The writer answers each append of a batch on its own (a conflict on one stream is that append's
 * error, not the batch's). Two appends to one stream never share a batch: the later one may
 * depend on the earlier one's outcome, so it waits for the next.
 */
export class GroupCommit<A extends { readonly streamId: string; readonly events: number }, R> {
  private readonly queue: Pending<A, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (batch: readonly A[]) => Promise<readonly Outcome<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {
    if (!(options.maxInFlight >= 1) || !(options.maxBatchEvents >= 1)) {
      throw new Error(`group commit needs maxInFlight ≥ 1 and maxBatchEvents ≥ 1, got ${JSON.stringify(options)}`);
    }
  }

  submit(append: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  /** The oldest appends that fit, one per stream; what is left keeps its order in the queue. */
  private take(): Pending<A, R>[] {
    const batch: Pending<A, R>[] = [];
    const streams = new Set<string>();
    let events = 0;
    for (let i = 0; i < this.queue.length; ) {
      const next = this.queue[i];
      const fits = batch.length === 0 || events + next.append.events <= this.options.maxBatchEvents;
      if (!fits) break;
      if (streams.has(next.append.streamId)) {
        i += 1;
        continue;
      }
      streams.add(next.append.streamId);
      events += next.append.events;
      batch.push(next);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async run(batch: readonly Pending<A, R>[]): Promise<void> {
    let outcomes: readonly Outcome<R>[];
    try {
      outcomes = await this.write(batch.map((pending) => pending.append));
      if (outcomes.length !== batch.length) {
        throw new Error(`group commit: a batch of ${batch.length} appends was answered with ${outcomes.length} outcomes`);
      }
    } catch (error) {
      // Nothing of the batch is known to be stored (one statement: all or none); each append fails.
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
