import { Logger } from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { assertLeaseHeld, Lease, Leadership, LeaseLostError, Migration, SqlDatabase, SqlExecutor } from '@refund-desk/database';
import { EventStore, LogCheckpoint, RecordedEvent, runCatchUp } from '@refund-desk/event-store';
import type { Metrics } from '@refund-desk/platform';
import { backoffMs } from '../kafka-client';
import { TOPICS } from '../topics';
import { caseEventMessage } from './case-event-message';

export const FORWARDER_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_kafka_forwarder_checkpoints',
    statements: [
      `CREATE TABLE kafka_forwarder_checkpoints (
        name text PRIMARY KEY,
        checkpoint text,
        position bigint,
        last_recorded_at timestamptz,
        events_forwarded bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
];

/**
 * Answers after which an idempotent producer cannot go on: the broker no longer agrees with its
 * producer id, epoch or sequence numbers (after a broker restart, say, or a batch written whose
 * acknowledgement was lost). kafkajs keeps the producer's id and sequences, so every later send
 * to that partition fails the same way: the producer is replaced, which starts a new id.
 */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** Failed sends in a row after which the producer is replaced anyway: a state no error names cannot outlive it. */
export const PRODUCER_RESET_AFTER_FAILURES = 5;

/**
 * Longest a batch's connect and send may take before the forwarder gives up on that producer.
 * kafkajs bounds each request (requestTimeout) and its retries, yet a send can still wait on a
 * broker connection or a per-broker lock far longer; nothing else would notice, and the topic
 * would fall behind with the service reporting only lag. Generous beside a healthy send (a few
 * ms), so that only a stuck producer meets it.
 */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/** A send that had not settled by the forwarder's deadline: its producer is replaced and the batch sent again. */
export class ForwarderSendTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the Kafka send did not settle within ${timeoutMs} ms`);
    this.name = 'ForwarderSendTimeoutError';
  }
}

/** Whether a send's error (or one it wraps: retries exceeded, one per partition) says the producer's state is lost. */
export function producerStateLost(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const candidate = error as { type?: unknown; cause?: unknown; errors?: unknown };
  if (typeof candidate.type === 'string' && PRODUCER_STATE_LOST.has(candidate.type)) return true;
  if (producerStateLost(candidate.cause, depth + 1)) return true;
  return Array.isArray(candidate.errors) && candidate.errors.some((inner) => producerStateLost(inner, depth + 1));
}

export interface ForwarderCheckpoint {
  readonly checkpoint: LogCheckpoint | null;
  readonly position: number | null;
  readonly eventsForwarded: number;
}

export interface CaseEventForwarderOptions {
  readonly name?: string;
  readonly batchSize: number;
  readonly retryMaxMs: number;
  /** Longest wait between polls of a quiet log (appends in this process wake it at once). */
  readonly idleWaitMs?: number;
  /** Idempotent producer (default true): a batch retried after a lost acknowledgement is not stored twice. */
  readonly idempotentProducer?: boolean;
  /** Deadline of a batch's connect and send (default DEFAULT_SEND_TIMEOUT_MS); past it the producer is replaced. */
  readonly sendTimeoutMs?: number;
  readonly metrics?: Metrics;
  /**
   * Forward only while this replica holds the forwarder's lease: every replica may run a
   * forwarder, one publishes. Without one, it forwards whenever started (one process, tests).
   */
  readonly leadership?: Leadership;
}

export interface ForwarderStatus {
  readonly position: number | null;
  readonly eventsForwarded: number;
  /** Readable events after the checkpoint (the horizon's held events are not counted: nobody can read them yet). */
  readonly lagEvents: number;
  /** Age of the oldest readable event not yet published; 0 when caught up. */
  readonly lagSeconds: number;
}

/**
 * Publishes the event log to refunds.case-events.v1 from its own checkpoint, outside any request.
 * A batch is sent with acks=-1 and one request in flight; the checkpoint moves only after the
 * broker acknowledged it. A crash or an outage therefore repeats events (at-least-once: the
 * event-id header lets consumers drop repeats) and never skips one. While the broker is away
 * the catch-up loop retries with a growing backoff and resumes from the stored checkpoint.
 */
export class CaseEventForwarder {
  private readonly logger = new Logger('CaseEventForwarder');
  private readonly name: string;
  private producer?: Producer;
  private connected = false;
  private controller?: AbortController;
  private loop?: Promise<void>;
  /** Since start: events the broker acknowledged (repeats included), failed attempts at a batch, producers replaced. */
  readonly stats = { published: 0, failedAttempts: 0, producerResets: 0 };
  /** Sends that failed since the last one that succeeded. */
  private failedSends = 0;
  private readonly listeners = new Set<(events: readonly RecordedEvent[], ackedAt: Date) => void>();

  constructor(
    private readonly kafka: Kafka,
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly options: CaseEventForwarderOptions,
  ) {
    this.name = options.name ?? 'case-events';
  }

  /** Whether this replica publishes now: always without a lease, else while it leads. */
  get leading(): boolean {
    return this.controller !== undefined && !this.controller.signal.aborted && (this.options.leadership?.isLeader ?? true);
  }

  start(): void {
    if (this.controller && !this.controller.signal.aborted) return;
    const controller = new AbortController();
    this.controller = controller;
    this.producer = this.createProducer();
    const leadership = this.options.leadership;
    if (!leadership) {
      this.loop = this.run(controller.signal, null);
      return;
    }
    leadership.start((lease, signal) => this.run(signal, lease));
    this.loop = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private createProducer(): Producer {
    // One request in flight keeps each partition's batches in order across retries; the Java-compatible
    // (murmur2) partitioner puts a key on the partition any other Kafka client would pick.
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      idempotent: this.options.idempotentProducer ?? true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = false;
    });
    return producer;
  }

  /**
   * A new producer (a new producer id, sequences from zero) in place of one whose sends keep
   * failing. The batch is sent again from the checkpoint, as after any failure: a batch the old
   * producer did store comes twice, which at-least-once delivery allows; none is lost.
   */
  private replaceProducer(error: unknown): void {
    const old = this.producer;
    this.producer = this.createProducer();
    this.connected = false;
    this.failedSends = 0;
    this.stats.producerResets += 1;
    this.options.metrics?.forwarderProducerResets.inc();
    this.logger.warn({ msg: 'replacing the Kafka producer: its sends keep failing or its idempotent state was lost', err: error });
    // Not awaited: a producer stuck on a broker must not hold up the retry.
    void old?.disconnect().catch(() => undefined);
  }

  private run(signal: AbortSignal, lease: Lease | null): Promise<void> {
    // A fenced step refused: another replica publishes now, and this term ends.
    const term = new AbortController();
    signal.addEventListener('abort', () => term.abort(), { once: true });
    return runCatchUp(
      this.store,
      {
        name: `kafka:${this.name}`,
        batchSize: this.options.batchSize,
        idleWaitMs: this.options.idleWaitMs ?? 250,
        loadCheckpoint: async () => (await this.checkpoint()).checkpoint,
        handle: (events, checkpoint) => this.forward(events, checkpoint, lease),
        retryDelayMs: (attempt) => backoffMs(attempt, this.options.retryMaxMs),
        onError: (error, attempt) => {
          if (error instanceof LeaseLostError) {
            this.logger.warn({ msg: 'another replica forwards now; standing down', detail: error.message });
            term.abort();
            return;
          }
          this.stats.failedAttempts += 1;
          this.options.metrics?.forwarderFailures.inc();
          this.logger.warn({ msg: 'forwarding failed; retrying from the checkpoint', attempt, err: error });
        },
      },
      term.signal,
    );
  }

  /** Finishes the batch in flight and commits its checkpoint, hands the lease over, then disconnects. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.options.leadership?.stop();
    await this.loop;
    this.loop = undefined;
    await this.producer?.disconnect();
    this.connected = false;
  }

  /** Calls back after the broker acknowledged a batch (for lag measurements); returns the unsubscribe. */
  onPublished(listener: (events: readonly RecordedEvent[], ackedAt: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async checkpoint(): Promise<ForwarderCheckpoint> {
    const { rows } = await this.db.query<{ checkpoint: string | null; position: number | null; events_forwarded: number }>(
      'SELECT checkpoint, position, events_forwarded FROM kafka_forwarder_checkpoints WHERE name = $1',
      [this.name],
    );
    return { checkpoint: rows[0]?.checkpoint ?? null, position: rows[0]?.position ?? null, eventsForwarded: rows[0]?.events_forwarded ?? 0 };
  }

  private async forward(events: readonly RecordedEvent[], checkpoint: LogCheckpoint, lease: Lease | null): Promise<void> {
    if (events.length > 0) {
      const producer = this.producer!;
      try {
        await this.withinSendDeadline(async () => {
          if (!this.connected) {
            await producer.connect();
            // A connect that outlived its deadline must not mark the producer that replaced it connected.
            if (this.producer === producer) this.connected = true;
          }
          // Checked just before the send: a replica paused past its lease (SIGSTOP, a long GC) finds out
          // here when it wakes, not after publishing. Kafka cannot fence the send itself without
          // transactions, so a pause between this check and the send can still publish a batch the new
          // leader publishes too: a repeat, which at-least-once delivery allows, never a loss.
          if (lease) await assertLeaseHeld(this.db, lease);
          // One send per batch, in log order: each partition receives its events as one ordered record batch.
          await producer.send({ topic: TOPICS.caseEvents, acks: -1, messages: events.map(caseEventMessage) });
        });
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        this.failedSends += 1;
        const stuck = error instanceof ForwarderSendTimeoutError;
        if (this.producer === producer && (stuck || producerStateLost(error) || this.failedSends >= PRODUCER_RESET_AFTER_FAILURES)) this.replaceProducer(error);
        throw error;
      }
      this.failedSends = 0;
      this.stats.published += events.length;
      this.options.metrics?.forwarderPublished.inc(events.length);
      const ackedAt = new Date();
      for (const listener of this.listeners) listener(events, ackedAt);
    }
    const last = events[events.length - 1];
    await this.db.transaction(async (tx: SqlExecutor) => {
      // The checkpoint is fenced: a stale leader's late write is refused, not applied.
      if (lease) await assertLeaseHeld(tx, lease);
      await tx.query(
      `INSERT INTO kafka_forwarder_checkpoints (name, checkpoint, position, last_recorded_at, events_forwarded, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (name) DO UPDATE SET
         checkpoint = EXCLUDED.checkpoint,
         position = COALESCE(EXCLUDED.position, kafka_forwarder_checkpoints.position),
         last_recorded_at = COALESCE(EXCLUDED.last_recorded_at, kafka_forwarder_checkpoints.last_recorded_at),
         events_forwarded = kafka_forwarder_checkpoints.events_forwarded + EXCLUDED.events_forwarded,
         updated_at = now()`,
      [this.name, checkpoint, last?.position ?? null, last?.recordedAt ?? null, events.length],
      );
    });
    if (last) this.options.metrics?.forwarderCheckpointPosition.set(last.position);
  }

  /**
   * Runs a batch's connect and send, failing with ForwarderSendTimeoutError if they have not settled
   * by the deadline. The abandoned send is not awaited: its producer is replaced and disconnected,
   * which fails it; should it still reach the broker, its events come again after the retry's copy,
   * a repeat that at-least-once delivery allows (the first copy of each event stays in log order).
   */
  private async withinSendDeadline(send: () => Promise<void>): Promise<void> {
    const timeoutMs = this.options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const sending = send();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ForwarderSendTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      await Promise.race([sending, deadline]);
    } finally {
      clearTimeout(timer);
      // Settles after the deadline, if at all: its outcome no longer matters.
      sending.catch(() => undefined);
    }
  }

  /** Where the forwarder stands against the readable head of the log; sets the lag gauges. */
  async status(now: Date = new Date()): Promise<ForwarderStatus> {
    const [stored, head] = await Promise.all([this.checkpoint(), this.store.head()]);
    let lagEvents = 0;
    let lagSeconds = 0;
    if (head.checkpoint !== null && this.store.compareCheckpoints(head.checkpoint, stored.checkpoint) > 0) {
      const { events } = await this.store.readAll({ after: stored.checkpoint, limit: this.store.positionsCountEvents ? 1 : 1_000 });
      const oldest = events[0];
      if (oldest) {
        lagEvents = this.store.positionsCountEvents ? Math.max(1, (head.position ?? oldest.position) - oldest.position + 1) : events.length;
        lagSeconds = Math.max(0, (now.getTime() - Date.parse(oldest.recordedAt)) / 1000);
      }
    }
    const metrics = this.options.metrics;
    if (metrics) {
      if (stored.position !== null) metrics.forwarderCheckpointPosition.set(stored.position);
      metrics.forwarderLagEvents.set(lagEvents);
      metrics.forwarderLagSeconds.set(lagSeconds);
    }
    return { position: stored.position, eventsForwarded: stored.eventsForwarded, lagEvents, lagSeconds };
  }
}
