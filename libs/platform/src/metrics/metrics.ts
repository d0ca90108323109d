import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, shared by the HTTP layer, the projector and the relay. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'refund_desk_http_request_duration_seconds',
    // Rate and errors are its _count by status_class; the route is the template (/v1/cases/:caseId), never the raw URL.
    help: 'HTTP request duration by method, route template, status code and status class',
    labelNames: ['method', 'route', 'status', 'status_class'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commands = new Histogram({
    name: 'refund_desk_command_duration_seconds',
    help: 'Command handling time (load, decide, append) by command and result',
    labelNames: ['command', 'result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly projectionLagEvents = new Gauge({
    name: 'refund_desk_projection_lag_events',
    help: 'Events in the log a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLagSeconds = new Gauge({
    name: 'refund_desk_projection_lag_seconds',
    help: 'Age of the oldest event a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionEventsApplied = new Counter({
    name: 'refund_desk_projection_events_applied_total',
    help: 'Events applied to a read model by the projector in this process',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionBatchSeconds = new Histogram({
    name: 'refund_desk_projection_batch_duration_seconds',
    help: 'Time to apply one batch of events to a read model and commit it with its checkpoint',
    labelNames: ['projection'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly relayConsumed = new Counter({
    name: 'refund_desk_kafka_relay_messages_consumed_total',
    help: 'Inbound messages received from the broker by the relay (redeliveries included)',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly relayApplied = new Counter({
    name: 'refund_desk_kafka_relay_messages_applied_total',
    help: 'Inbound messages whose command ran and whose offset was committed; replayed="true" when the store already had its events',
    labelNames: ['topic', 'replayed'] as const,
    registers: [this.registry],
  });

  readonly relaySkipped = new Counter({
    name: 'refund_desk_kafka_relay_messages_skipped_total',
    help: 'Inbound messages found in the inbox (delivered before): nothing ran',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly relayDeadLettered = new Counter({
    name: 'refund_desk_kafka_relay_messages_dead_lettered_total',
    help: 'Inbound messages sent to refunds.dlq.v1, by the x-error-type they carried',
    labelNames: ['topic', 'error_type'] as const,
    registers: [this.registry],
  });

  readonly relayRetries = new Counter({
    name: 'refund_desk_kafka_relay_retries_total',
    help: 'Partition batches paused and retried after a failure that may pass (store, database or broker unavailable)',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly relayLag = new Gauge({
    name: 'refund_desk_kafka_relay_lag_messages',
    help: "Messages after the relay's last handled offset, per partition this process owns (from the broker's high watermark)",
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly relayConsumerRunning = new Gauge({
    name: 'refund_desk_kafka_relay_consumer_running',
    help: "1 while the relay's consumer is in its group and fetching, 0 while it starts or recovers from a crash",
    registers: [this.registry],
  });

  readonly relayConsumerRestarts = new Counter({
    name: 'refund_desk_kafka_relay_consumer_restarts_total',
    help: 'Consumers created anew after kafkajs gave one up (a crash it would not restart)',
    registers: [this.registry],
  });

  readonly relayRebalances = new Counter({
    name: 'refund_desk_kafka_relay_rebalances_total',
    help: "Rebalances of its group the relay's consumer was told of (a member joined, left or timed out)",
    registers: [this.registry],
  });

  readonly deadlinesMissed = new Counter({
    name: 'refund_desk_deadlines_missed_total',
    help: 'Deadlines the scheduler recorded as missed (DeadlineMissed), by kind',
    labelNames: ['deadline'] as const,
    registers: [this.registry],
  });

  readonly forwarderPublished = new Counter({
    name: 'refund_desk_kafka_forwarder_events_published_total',
    help: 'Events the broker acknowledged on refunds.case-events.v1 (repeats after a retry included)',
    registers: [this.registry],
  });

  readonly forwarderFailures = new Counter({
    name: 'refund_desk_kafka_forwarder_failures_total',
    help: 'Failed attempts at forwarding a batch (each is retried from the checkpoint)',
    registers: [this.registry],
  });

  readonly forwarderProducerResets = new Counter({
    name: 'refund_desk_kafka_forwarder_producer_resets_total',
    help: 'Producers the forwarder replaced: a send showed its idempotent state lost, sends failed repeatedly, or one outlived KAFKA_SEND_TIMEOUT_MS',
    registers: [this.registry],
  });

  readonly forwarderCheckpointPosition = new Gauge({
    name: 'refund_desk_kafka_forwarder_checkpoint_position',
    help: 'Global log position of the last event the forwarder published and checkpointed',
    registers: [this.registry],
  });

  readonly forwarderLagEvents = new Gauge({
    name: 'refund_desk_kafka_forwarder_lag_events',
    help: 'Readable events in the log after the forwarder checkpoint',
    registers: [this.registry],
  });

  readonly forwarderLagSeconds = new Gauge({
    name: 'refund_desk_kafka_forwarder_lag_seconds',
    help: 'Age of the oldest readable event the forwarder has not published (0 when caught up)',
    registers: [this.registry],
  });

  readonly logHorizonHeldEvents = new Gauge({
    name: 'refund_desk_log_horizon_held_events',
    help: 'Events committed to the log but not yet readable by catch-up readers, because an older transaction on the server is still open',
    registers: [this.registry],
  });

  readonly logHorizonHeldSeconds = new Gauge({
    name: 'refund_desk_log_horizon_held_seconds',
    help: 'How long the oldest committed event has waited behind the read horizon (0 when none waits)',
    registers: [this.registry],
  });

  readonly logHorizonOldestTransactionSeconds = new Gauge({
    name: 'refund_desk_log_horizon_oldest_transaction_seconds',
    help: 'Age of the oldest open transaction with a transaction id on the database server (any database): it sets the read horizon',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'refund_desk_' });
  }
}
