import { EventStoreOperations, LogCheckpoint, RecordedEvent } from './event-store';

export interface CatchUpOptions {
  readonly name: string;
  readonly batchSize: number;
  readonly types?: readonly string[];
  readonly streamPrefixes?: readonly string[];
  /** Longest wait between polls when the log is quiet; appends in this process wake the reader at once. */
  readonly idleWaitMs: number;
  loadCheckpoint(): Promise<LogCheckpoint | null>;
  /**
   * Applies a batch and records `checkpoint` durably with its effect. Called with an empty batch
   * when only the checkpoint moves (past events the filter left out).
   */
  handle(events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<void>;
  /** A failed read or handle is retried after this many milliseconds (the reader never gives up). */
  retryDelayMs?(attempt: number, error: unknown): number;
  onError?(error: unknown, attempt: number): void;
}

const sleep = (ms: number, signal: AbortSignal, wake?: (resolve: () => void) => () => void): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let unwake = (): void => undefined;
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      unwake();
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (wake) unwake = wake(done);
  });

const defaultRetryDelay = (attempt: number): number => Math.min(30_000, 100 * 2 ** Math.min(attempt, 9));

/**
 * A checkpointed catch-up reader of the global log: reads a batch after the stored checkpoint,
 * hands it over, and repeats; waits when it reaches the head. Runs until the signal aborts.
 */
export async function runCatchUp(store: EventStoreOperations, options: CatchUpOptions, signal: AbortSignal): Promise<void> {
  let checkpoint: LogCheckpoint | null | undefined;
  let attempt = 0;
  // Set by an append in this process; cleared before each read, so it means "appended since the read began".
  let pending: boolean;
  const unsubscribe = store.onAppended(() => {
    pending = true;
  });
  const wakeOnAppend = (resolve: () => void): (() => void) => store.onAppended(resolve);
  try {
    while (!signal.aborted) {
      try {
        if (checkpoint === undefined) checkpoint = await options.loadCheckpoint();
        pending = false;
        const result = await store.readAll({
          after: checkpoint,
          limit: options.batchSize,
          types: options.types,
          streamPrefixes: options.streamPrefixes,
        });
        const moved = result.checkpoint !== null && store.compareCheckpoints(result.checkpoint, checkpoint) > 0;
        if (result.events.length > 0 || moved) {
          await options.handle(result.events, result.checkpoint!);
          checkpoint = result.checkpoint;
        }
        attempt = 0;
        if (result.events.length < options.batchSize && !pending) {
          await sleep(options.idleWaitMs, signal, wakeOnAppend);
        }
      } catch (error) {
        attempt += 1;
        options.onError?.(error, attempt);
        // The checkpoint is re-read so a batch whose commit failed half-way is read again.
        checkpoint = undefined;
        await sleep((options.retryDelayMs ?? defaultRetryDelay)(attempt, error), signal);
      }
    }
  } finally {
    unsubscribe();
  }
}
