import { writeFile } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Partitioners, Producer } from 'kafkajs';
import type { Metrics } from '@refund-desk/platform';
import { backoffMs, isTransientFailure } from '../kafka-client';
import { INBOUND_TOPICS, InboundTopic, isInboundTopic, TOPICS } from '../topics';
import { deadLetter } from './dead-letter';
import { InboundProcessor, PreparedMessage, Rejection } from './inbound-processor';
import { Inbox, InboxEntry } from './inbox';

export interface KafkaRelayOptions {
  readonly groupId: string;
  /** Messages with different keys applied at once within one partition's batch. */
  readonly concurrency: number;
  readonly retryMaxMs: number;
  /** Attempts at a message that fails in a way nobody recognises before it is dead-lettered. */
  readonly maxUnexpectedAttempts?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval (default: a third of the session timeout, at most 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** How long a rebalance waits for every member to rejoin (default: the session timeout, at least 10 s). */
  readonly rebalanceTimeoutMs?: number;
  /** Touched (at most every few seconds) while the consumer fetches or heartbeats: a liveness probe. */
  readonly healthFile?: string;
  /** Idempotent dead-letter producer (default true). */
  readonly idempotentProducer?: boolean;
  /** Where consumed, applied, dead-lettered and retried messages and the lag per partition are counted. */
  readonly metrics?: Metrics;
}

/**
 * Whether a consumer is in the group and fetching. `running` after it joined; `recovering` from a
 * crash until it joins again (kafkajs' own restart, or a new consumer after one kafkajs gave up on);
 * `starting` before the first join; `stopped` after stop().
 */
export type RelayState = 'starting' | 'running' | 'recovering' | 'stopped';

export interface RelayStatus {
  readonly state: RelayState;
  /** True only while `running`: what a readiness probe asks. */
  readonly consuming: boolean;
  /** When the relay entered this state. */
  readonly since: string;
  /** Consumers created anew after kafkajs gave one up (`restart: false`). */
  readonly consumerRestarts: number;
  readonly lastCrash: { readonly at: string; readonly error: string; readonly restart: boolean } | null;
  /** Rebalances this relay's consumers were told of (a member joined, left or timed out), and when the last began here. */
  readonly rebalances: number;
  readonly lastRebalanceAt: string | null;
  /** The partitions this member was last assigned, with the messages after its last handled offset. */
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly lag: number | null }[];
}

/** A consumer that stayed up this long without crashing starts its next recovery from the shortest backoff. */
const STABLE_AFTER_MS = 60_000;

export interface RelayStats {
  applied: number;
  /** Applied again after a crash or a duplicate in the same batch: the store already had the events. */
  replayed: number;
  /** Found in the inbox: delivered before, nothing run. */
  skipped: number;
  deadLettered: number;
  /** Batches put back for a retry (the store, the database or the broker was unavailable). */
  retries: number;
}

type Settled =
  | { readonly kind: 'applied'; readonly entry: InboxEntry; readonly replayed: boolean }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'dead-letter'; readonly rejection: Rejection };

/**
 * Consumes the inbound topics and applies each message through the same commands as HTTP.
 *
 * Per partition batch: messages are validated, those already in the inbox are skipped, the
 * rest are applied (different keys concurrently, one key in order), refused ones are sent to
 * the dead-letter topic, applied ones are recorded in the inbox, and only then is the offset
 * of the longest fully handled prefix committed. A failure that may pass (store, database or
 * broker unavailable) pauses the partition and retries from the first unhandled message after
 * a backoff; nothing is dead-lettered for it and nothing after it is committed.
 */
export class KafkaRelay {
  private readonly logger = new Logger('KafkaRelay');
  private consumer?: Consumer;
  private producer?: Producer;
  private readonly unexpected = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private state: RelayState = 'starting';
  private stateSince = new Date();
  private consumerRestarts = 0;
  private lastCrash: { at: Date; error: string; restart: boolean } | null = null;
  private crashesInARow = 0;
  private rebalances = 0;
  private lastRebalanceAt: Date | null = null;
  /** When the current consumer last joined its group; unset after a crash. */
  private runningSince?: number;
  private recovering?: Promise<void>;
  private wakeRecovery?: () => void;
  private assigned: { topic: string; partition: number }[] = [];
  private readonly lag = new Map<string, number>();
  readonly stats: RelayStats = { applied: 0, replayed: 0, skipped: 0, deadLettered: 0, retries: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly processor: InboundProcessor,
    private readonly inbox: Inbox,
    private readonly options: KafkaRelayOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    this.setState('starting');
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      idempotent: this.options.idempotentProducer ?? true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer = producer;
    await producer.connect();
    await this.startConsumer();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wakeRecovery?.();
    await this.recovering;
    // disconnect() leaves the group (LeaveGroup), so the partitions move at once rather than after the session timeout.
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
    this.setState('stopped');
  }

  status(): RelayStatus {
    return {
      state: this.state,
      consuming: this.state === 'running',
      since: this.stateSince.toISOString(),
      consumerRestarts: this.consumerRestarts,
      lastCrash: this.lastCrash && { ...this.lastCrash, at: this.lastCrash.at.toISOString() },
      rebalances: this.rebalances,
      lastRebalanceAt: this.lastRebalanceAt?.toISOString() ?? null,
      partitions: this.assigned.map(({ topic, partition }) => ({ topic, partition, lag: this.lag.get(`${topic}:${partition}`) ?? null })),
    };
  }

  /** The rebalance settings the consumer runs with (documented in the README). */
  get groupTimings(): { sessionTimeoutMs: number; heartbeatIntervalMs: number; rebalanceTimeoutMs: number } {
    const sessionTimeoutMs = this.options.sessionTimeoutMs ?? 30_000;
    return {
      sessionTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? Math.max(10_000, sessionTimeoutMs),
    };
  }

  private async startConsumer(): Promise<void> {
    const timings = this.groupTimings;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      sessionTimeout: timings.sessionTimeoutMs,
      heartbeatInterval: timings.heartbeatIntervalMs,
      rebalanceTimeout: timings.rebalanceTimeoutMs,
      retry: { initialRetryTime: 100, maxRetryTime: this.options.retryMaxMs, retries: 10 },
    });
    this.consumer = consumer;
    const current = (): boolean => this.consumer === consumer && !this.stopping;
    if (this.options.healthFile) {
      const file = this.options.healthFile;
      let touched = 0;
      const touch = (): void => {
        if (!current() || Date.now() - touched < 5_000) return;
        touched = Date.now();
        writeFile(file, new Date(touched).toISOString()).catch((error: unknown) => this.logger.warn({ msg: 'cannot write the health file', file, err: error }));
      };
      consumer.on(consumer.events.FETCH_START, touch);
      consumer.on(consumer.events.HEARTBEAT, touch);
    }
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      this.assignPartitions(payload.memberAssignment);
      this.runningSince ??= Date.now();
      this.setState('running');
    });
    // Told by the coordinator (a heartbeat or commit answered REBALANCE_IN_PROGRESS) that the group is
    // rebalancing: frequent ones mean members come and go, and each stops every member while it lasts.
    consumer.on(consumer.events.REBALANCING, () => {
      if (!current()) return;
      this.rebalances += 1;
      this.lastRebalanceAt = new Date();
      this.options.metrics?.relayRebalances.inc();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!current()) return;
      const error = payload.error;
      this.lastCrash = { at: new Date(), error: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`, restart: payload.restart };
      // A consumer that ran a while before this crash starts the backoff afresh; one that never got going does not.
      if (this.runningSince !== undefined && Date.now() - this.runningSince > STABLE_AFTER_MS) this.crashesInARow = 0;
      this.runningSince = undefined;
      // A crashed consumer owns nothing: its partitions and their lag are the next owner's to report.
      this.assignPartitions({});
      this.setState('recovering');
      if (payload.restart) {
        this.logger.warn({ msg: 'consumer crashed; kafkajs restarts it', err: error });
      } else {
        // kafkajs has disconnected this consumer for good; left alone, the process would live on and consume nothing.
        this.logger.error({ msg: 'consumer crashed and kafkajs will not restart it; creating a new one', err: error });
        this.recovering = this.recover(consumer);
      }
    });
    await consumer.connect();
    // From the beginning for a new group: requests published before the first start are not lost.
    await consumer.subscribe({ topics: [...INBOUND_TOPICS], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Replaces a consumer kafkajs gave up on, with a growing backoff, until one runs or the relay stops. */
  private async recover(dead: Consumer): Promise<void> {
    await dead.disconnect().catch(() => undefined);
    while (!this.stopping) {
      this.crashesInARow += 1;
      const delay = backoffMs(this.crashesInARow, this.options.retryMaxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeRecovery = () => (clearTimeout(timer), resolve());
      });
      this.wakeRecovery = undefined;
      if (this.stopping) return;
      this.consumerRestarts += 1;
      this.options.metrics?.relayConsumerRestarts.inc();
      try {
        // A consumer that fails to join crashes again (restart: false) and starts the next round of this loop.
        await this.startConsumer();
        this.logger.warn({ msg: 'started a new consumer in place of the crashed one', attempt: this.crashesInARow });
        return;
      } catch (error) {
        this.logger.warn({ msg: 'cannot start a new consumer yet; retrying', attempt: this.crashesInARow, err: error });
        const failed = this.consumer;
        await failed?.disconnect().catch(() => undefined);
      }
    }
  }

  private setState(state: RelayState): void {
    if (this.state !== state) {
      this.state = state;
      this.stateSince = new Date();
    }
    this.options.metrics?.relayConsumerRunning.set(state === 'running' ? 1 : 0);
  }

  /** Keeps the lag of the partitions this member owns; those another member took are no longer reported here. */
  private assignPartitions(assignment: Record<string, number[]>): void {
    const next = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const owned = new Set(next.map(({ topic, partition }) => `${topic}:${partition}`));
    for (const { topic, partition } of this.assigned) {
      const key = `${topic}:${partition}`;
      if (owned.has(key)) continue;
      this.lag.delete(key);
      this.options.metrics?.relayLag.remove({ topic, partition: String(partition) });
    }
    this.assigned = next;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    if (messages.length === 0) return;
    const partitionKey = `${batch.topic}:${batch.partition}`;
    this.options.metrics?.relayConsumed.inc({ topic: batch.topic }, messages.length);
    const settled: (Settled | undefined)[] = new Array(messages.length);
    let failure: unknown;
    let heartbeatError: unknown;

    try {
      if (!isInboundTopic(batch.topic)) throw new Error(`not an inbound topic: ${batch.topic}`);
      const topic = batch.topic;
      const prepared = await Promise.all(messages.map((message) => this.processor.prepare(topic, message.value, message.headers)));
      const known = await this.inbox.recorded(
        topic,
        prepared.flatMap((p) => (p.kind === 'valid' ? [p.messageId] : [])),
      );
      const groups = new Map<string, number[]>();
      messages.forEach((message, index) => {
        const key = message.key === null ? '\u0000' : message.key.toString('latin1');
        const group = groups.get(key);
        if (group) group.push(index);
        else groups.set(key, [index]);
      });
      const run = async (indices: number[]): Promise<void> => {
        for (const index of indices) {
          if (failure !== undefined || heartbeatError !== undefined || this.stopping || !payload.isRunning() || payload.isStale()) return;
          try {
            settled[index] = await this.settle(topic, batch.partition, messages[index], prepared[index], known);
          } catch (error) {
            failure ??= error;
            return;
          }
          try {
            await payload.heartbeat();
          } catch (error) {
            heartbeatError ??= error;
          }
        }
      };
      await runLimited([...groups.values()], this.options.concurrency, run);
      await this.recordAndDeadLetter(batch.topic, batch.partition, messages, settled);
    } catch (error) {
      failure ??= error;
    }

    let prefix = -1;
    while (prefix + 1 < messages.length && settled[prefix + 1] !== undefined) prefix += 1;
    if (prefix >= 0) {
      payload.resolveOffset(messages[prefix].offset);
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    }
    for (let i = 0; i <= prefix; i++) this.count(batch.topic, settled[i]!);
    const next = prefix >= 0 ? Number(messages[prefix].offset) + 1 : Number(messages[0].offset);
    const lag = Math.max(0, Number(batch.highWatermark) - next);
    this.lag.set(partitionKey, lag);
    this.options.metrics?.relayLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
    if (heartbeatError !== undefined) throw heartbeatError;
    if (prefix === messages.length - 1) {
      this.failures.delete(partitionKey);
      return;
    }
    if (this.stopping || !payload.isRunning() || payload.isStale()) return;
    this.retryLater(payload, partitionKey, messages[prefix + 1], failure);
  }

  /** The outcome of one message, or a throw when it must be retried. */
  private async settle(
    topic: InboundTopic,
    partition: number,
    message: KafkaMessage,
    prepared: PreparedMessage,
    known: ReadonlySet<string>,
  ): Promise<Settled> {
    if (prepared.kind === 'rejected') return { kind: 'dead-letter', rejection: prepared.rejection };
    if (known.has(prepared.messageId)) return { kind: 'skipped' };
    const attemptKey = `${topic}:${partition}:${message.offset}`;
    try {
      const outcome = await this.processor.apply(prepared);
      this.unexpected.delete(attemptKey);
      if (outcome.kind === 'rejected') return { kind: 'dead-letter', rejection: outcome.rejection };
      return {
        kind: 'applied',
        replayed: outcome.replayed,
        entry: {
          topic,
          messageId: prepared.messageId,
          caseId: outcome.caseId,
          eventIds: outcome.eventIds,
          position: outcome.position,
          partition,
          offset: message.offset,
        },
      };
    } catch (error) {
      if (isTransientFailure(error)) throw error;
      // Neither a refusal nor an outage: a few more tries, then the message is set aside rather than block the partition.
      const attempts = (this.unexpected.get(attemptKey) ?? 0) + 1;
      this.unexpected.set(attemptKey, attempts);
      if (attempts < (this.options.maxUnexpectedAttempts ?? 5)) throw error;
      this.unexpected.delete(attemptKey);
      this.logger.error({ msg: 'dead-lettering a message that keeps failing', topic, partition, offset: message.offset, err: error });
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { kind: 'dead-letter', rejection: { errorType: 'unexpected', errorMessage: text.slice(0, 2_000) } };
    }
  }

  /** Dead letters are acknowledged by the broker and inbox rows written before any offset moves past them. */
  private async recordAndDeadLetter(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    settled: (Settled | undefined)[],
  ): Promise<void> {
    const entries: InboxEntry[] = [];
    const letters: Message[] = [];
    const pendingIndices: number[] = [];
    const now = this.now();
    settled.forEach((outcome, index) => {
      if (outcome?.kind === 'applied') entries.push(outcome.entry);
      if (outcome?.kind === 'dead-letter') {
        letters.push(deadLetter(messages[index], { topic, partition, groupId: this.options.groupId }, outcome.rejection, now));
      }
      if (outcome) pendingIndices.push(index);
    });
    try {
      await this.inbox.record(entries);
      if (letters.length > 0) {
        if (!this.producer) throw new Error('the relay is not started');
        await this.producer.send({ topic: TOPICS.deadLetters, acks: -1, messages: letters });
      }
    } catch (error) {
      // Not durable yet: treat the whole batch as unhandled; a redelivery finds the effects already stored.
      for (const index of pendingIndices) settled[index] = undefined;
      throw error;
    }
  }

  private count(topic: string, outcome: Settled): void {
    const metrics = this.options.metrics;
    if (outcome.kind === 'skipped') {
      this.stats.skipped += 1;
      metrics?.relaySkipped.inc({ topic });
    } else if (outcome.kind === 'dead-letter') {
      this.stats.deadLettered += 1;
      metrics?.relayDeadLettered.inc({ topic, error_type: outcome.rejection.errorType });
    } else {
      if (outcome.replayed) this.stats.replayed += 1;
      else this.stats.applied += 1;
      metrics?.relayApplied.inc({ topic, replayed: String(outcome.replayed) });
    }
  }

  /** Pauses the partition; fetching resumes from the first unhandled message after a backoff. */
  private retryLater(payload: EachBatchPayload, partitionKey: string, next: KafkaMessage, failure: unknown): void {
    const attempt = (this.failures.get(partitionKey) ?? 0) + 1;
    this.failures.set(partitionKey, attempt);
    this.stats.retries += 1;
    this.options.metrics?.relayRetries.inc({ topic: partitionKey.slice(0, partitionKey.lastIndexOf(':')) });
    const delay = backoffMs(attempt, this.options.retryMaxMs);
    this.logger.warn({ msg: 'retrying from an unhandled message after a backoff', partition: partitionKey, offset: next.offset, attempt, delayMs: delay, err: failure });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) resume();
    }, delay);
    this.timers.add(timer);
  }
}

/** Runs `work` over the items with at most `limit` at a time. */
async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
