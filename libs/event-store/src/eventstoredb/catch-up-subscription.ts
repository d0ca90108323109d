import type { AllStreamSubscription, RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../errors';
import { LogCheckpoint, RecordedEvent } from '../event-store';
import { toStoreError } from './connection';
import { compareCheckpoints, laterCheckpoint } from './log-position';

export interface CatchUpSubscriptionOptions {
  /** Where to start: the checkpoint the consumer stored (null: the start of the log). */
  readonly from: LogCheckpoint | null;
  readonly streamPrefixes?: readonly string[];
  /** Only these event types are handed over; the checkpoint still moves past the others. */
  readonly types?: readonly string[];
  /**
   * Called one at a time, in log order: with one event and its checkpoint, or with no event when
   * only the checkpoint moved (past events the filters left out). A throw drops the subscription,
   * which resubscribes from the last checkpoint handed over, so that event comes again.
   */
  handle(events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<void>;
  retryDelayMs?(attempt: number, error: unknown): number;
  /** A dropped subscription or a failed handle, before the resubscription. */
  onError?(error: unknown, attempt: number): void;
}

export interface SubscriptionSource {
  open(from: LogCheckpoint | null, onCheckpoint: (checkpoint: LogCheckpoint) => void): AllStreamSubscription;
  toRecorded(event: ClientRecordedEvent | undefined): RecordedEvent;
}

/** Above this many events waiting for a slow handler the subscription is paused (gRPC flow control does the rest). */
const HIGH_WATER = 256;
const LOW_WATER = 64;

const defaultRetryDelay = (attempt: number): number => Math.min(30_000, 100 * 2 ** Math.min(attempt, 9));

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export async function runCatchUpSubscription(
  source: SubscriptionSource,
  options: CatchUpSubscriptionOptions,
  signal: AbortSignal,
): Promise<void> {
  const types = options.types ? new Set(options.types) : null;
  let delivered = options.from;
  let attempt = 0;
  const deliver = async (events: readonly RecordedEvent[], checkpoint: LogCheckpoint): Promise<void> => {
    await options.handle(events, checkpoint);
    delivered = checkpoint;
    attempt = 0;
  };
  while (!signal.aborted) {
    try {
      await subscribeOnce(source, delivered, types, deliver, signal);
    } catch (error) {
      if (signal.aborted) break;
      attempt += 1;
      options.onError?.(error, attempt);
      await sleep((options.retryDelayMs ?? defaultRetryDelay)(attempt, error), signal);
    }
  }
}

/** One subscription, from `from`, until the signal aborts (resolves) or it drops (rejects). */
function subscribeOnce(
  source: SubscriptionSource,
  from: LogCheckpoint | null,
  types: ReadonlySet<string> | null,
  deliver: (events: readonly RecordedEvent[], checkpoint: LogCheckpoint) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue: RecordedEvent[] = [];
    let last = from;
    /**
     * A position past events nobody is handed (the server's filter checkpoints, skipped types).
     * The server may report it while events it sent earlier still wait in the stream's buffer, so
     * it is handed over only when nothing is waiting, and dropped once an event has gone past it.
     */
    let pending: LogCheckpoint | null = null;
    let pumping = false;
    let done = false;

    const stop = (error?: unknown): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      void subscription.unsubscribe().catch(() => undefined);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => stop();

    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      try {
        while (!done) {
          const next = queue.shift();
          if (next) {
            if (subscription.isPaused() && queue.length <= LOW_WATER) subscription.resume();
            if (compareCheckpoints(next.checkpoint, last) <= 0) continue;
            if (types && !types.has(next.type)) {
              pending = laterCheckpoint(pending, next.checkpoint);
              continue;
            }
            await deliver([next], next.checkpoint);
            last = next.checkpoint;
            if (compareCheckpoints(pending, last) <= 0) pending = null;
            continue;
          }
          if (pending !== null && subscription.readableLength === 0) {
            const checkpoint = pending;
            pending = null;
            if (compareCheckpoints(checkpoint, last) > 0) {
              await deliver([], checkpoint);
              last = checkpoint;
            }
            continue;
          }
          break;
        }
      } catch (error) {
        stop(error);
      } finally {
        pumping = false;
      }
    };

    const subscription = source.open(from, (checkpoint) => {
      pending = laterCheckpoint(pending, checkpoint);
      void pump();
    });
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return stop();
    subscription.on('data', (resolved) => {
      if (done) return;
      try {
        queue.push(source.toRecorded(resolved.event));
      } catch (error) {
        return stop(error);
      }
      if (queue.length >= HIGH_WATER) subscription.pause();
      void pump();
    });
    subscription.on('error', (error) => stop(toStoreError(error, '$all subscription')));
    subscription.on('end', () => stop(new EventStoreUnavailableError('EventStoreDB ended the $all subscription')));
  });
}
