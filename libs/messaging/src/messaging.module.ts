import { BeforeApplicationShutdown, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CaseHandlingModule } from '@refund-desk/case-handling';
import { Leadership, migrate, REPLICA_ID, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { EventStore } from '@refund-desk/event-store';
import { AppConfig, Metrics } from '@refund-desk/platform';
import { InboundProcessor } from './inbound/inbound-processor';
import { Inbox, INBOX_MIGRATIONS } from './inbound/inbox';
import { KafkaRelay, RelayStatus } from './inbound/kafka-relay';
import { backoffMs, createKafka, parseBrokers } from './kafka-client';
import { CaseEventForwarder, FORWARDER_MIGRATIONS, ForwarderStatus } from './outbound/case-event-forwarder';

/** What /health shows of Kafka; `ready` is false while the relay is on and no consumer of it runs. */
export interface MessagingStatus {
  readonly ready: boolean;
  readonly relay: RelayStatus | null;
  /** Null when the forwarder is off or its checkpoint cannot be read (the store is down). */
  readonly forwarder: ForwarderStatus | null;
}

/**
 * Starts the relay (inbound topics → commands) and the forwarder (event log → case events) when
 * KAFKA_BROKERS is set, and does nothing at all otherwise. An unreachable broker at start-up
 * does not stop the process: connecting is retried in the background.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private relay?: KafkaRelay;
  private forwarder?: CaseEventForwarder;
  private starting?: Promise<void>;
  private readonly shutdown = new AbortController();
  private stopping?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly processor: InboundProcessor,
    private readonly metrics: Metrics,
  ) {}

  get enabled(): boolean {
    return this.config.KAFKA_BROKERS !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await migrate(this.db, 'messaging', [...INBOX_MIGRATIONS, ...FORWARDER_MIGRATIONS]);
    const kafka = createKafka({
      brokers: parseBrokers(this.config.KAFKA_BROKERS!),
      clientId: this.config.KAFKA_CLIENT_ID,
      retryMaxMs: this.config.KAFKA_RETRY_MAX_MS,
    });
    if (this.config.KAFKA_FORWARDER_ENABLED) {
      await Leadership.prepare(this.db);
      this.forwarder = new CaseEventForwarder(kafka, this.db, this.store, {
        // Every replica runs a forwarder; the one holding this lease publishes.
        leadership: new Leadership(this.db, {
          name: 'kafka-forwarder',
          holder: REPLICA_ID,
          ttlMs: this.config.LEADER_LEASE_TTL_MS,
          logger: this.logger,
        }),
        batchSize: this.config.KAFKA_FORWARDER_BATCH_SIZE,
        retryMaxMs: this.config.KAFKA_RETRY_MAX_MS,
        idempotentProducer: this.config.KAFKA_IDEMPOTENT_PRODUCER,
        sendTimeoutMs: this.config.KAFKA_SEND_TIMEOUT_MS,
        metrics: this.metrics,
      });
      this.forwarder.start();
    }
    if (this.config.KAFKA_RELAY_ENABLED) {
      this.relay = new KafkaRelay(kafka, this.processor, new Inbox(this.db), {
        groupId: this.config.KAFKA_GROUP_ID,
        concurrency: this.config.KAFKA_RELAY_CONCURRENCY,
        retryMaxMs: this.config.KAFKA_RETRY_MAX_MS,
        sessionTimeoutMs: this.config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: this.config.KAFKA_HEARTBEAT_INTERVAL_MS,
        rebalanceTimeoutMs: this.config.KAFKA_REBALANCE_TIMEOUT_MS,
        healthFile: this.config.KAFKA_HEALTH_FILE,
        idempotentProducer: this.config.KAFKA_IDEMPOTENT_PRODUCER,
        metrics: this.metrics,
      });
      this.starting = this.startRelay(this.relay);
    }
    this.logger.log(
      `Kafka at ${this.config.KAFKA_BROKERS}: relay ${this.relay ? 'on' : 'off'}, forwarder ${this.forwarder ? 'on' : 'off'}`,
    );
  }

  /** Resolves once the relay consumes (tests wait for it); undefined when the relay is off. */
  get relayStarted(): Promise<void> | undefined {
    return this.starting;
  }

  get relayStats(): KafkaRelay['stats'] | undefined {
    return this.relay?.stats;
  }

  /** Null when Kafka is off in this process. Also sets the forwarder's lag gauges. */
  async status(): Promise<MessagingStatus | null> {
    if (!this.enabled) return null;
    const relay = this.relay?.status() ?? null;
    const forwarder = this.forwarder ? await this.forwarder.status().catch(() => null) : null;
    return { ready: relay === null || relay.consuming, relay, forwarder };
  }

  get caseEventForwarder(): CaseEventForwarder | undefined {
    return this.forwarder;
  }

  private async startRelay(relay: KafkaRelay): Promise<void> {
    const signal = this.shutdown.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await relay.start();
        return;
      } catch (error) {
        const delay = backoffMs(attempt, this.config.KAFKA_RETRY_MAX_MS);
        this.logger.warn({ msg: 'cannot start the Kafka relay yet; retrying', attempt, delayMs: delay, err: error });
        await relay.stop().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  }

  /** Starts leaving the group and handing the forwarder over as soon as shutdown begins (see ProjectorLifecycle). */
  onModuleDestroy(): void {
    this.stopping ??= this.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await (this.stopping ??= this.stop());
  }

  private async stop(): Promise<void> {
    this.shutdown.abort();
    await this.starting;
    await Promise.allSettled([this.relay?.stop(), this.forwarder?.stop()]);
  }
}

/**
 * Kafka in and out; importable by every process, active only where KAFKA_BROKERS is set. Global so
 * that /health, wherever its controller sits, can read the relay's status in the processes that run it.
 */
@Global()
@Module({
  imports: [CaseHandlingModule],
  providers: [InboundProcessor, MessagingLifecycle],
  exports: [MessagingLifecycle],
})
export class MessagingModule {}
