import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Producer } from 'kafkajs';
import { CaseCommandResult, RecordFollowUpCommand } from '@refund-desk/case-handling';
import { migrate, PgliteDatabase } from '@refund-desk/database';
import { InboundProcessor, Inbox, INBOX_MIGRATIONS, KafkaRelay } from '@refund-desk/messaging';
import { Metrics } from '@refund-desk/platform';
import { describeWithKafka, eventually, kafkaMockInUse, startTestKafka, TestKafka, testKafkaClient, testProducer } from '../../support/kafka/test-kafka';
import { feedbackMessage } from '../../support/kafka/messages';

/** Applies every command: this suite is about the consumer, not the commands. */
class AcceptingCommandBus {
  calls = 0;
  async execute(command: RecordFollowUpCommand): Promise<CaseCommandResult> {
    this.calls += 1;
    return { caseId: command.caseId, version: 5, position: this.calls, events: [], duplicate: false, state: {} as CaseCommandResult['state'] };
  }
}

const metricValue = async (metrics: Metrics, name: string): Promise<number> => {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? NaN;
};

describeWithKafka('the relay after a crash kafkajs will not restart', () => {
  let kafka: TestKafka;
  let db: PgliteDatabase;
  let producer: Producer;
  let relay: KafkaRelay;
  let metrics: Metrics;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    kafka = await startTestKafka({ topics: ['feedback.responses.v1', 'refunds.requests.v1', 'payments.refund-status.v1', 'refunds.appeals.v1', 'refunds.dlq.v1'], partitions: 2 });
    db = await PgliteDatabase.open();
    await migrate(db, 'messaging', INBOX_MIGRATIONS);
    producer = await testProducer(kafka);
    metrics = new Metrics();
    relay = new KafkaRelay(testKafkaClient(kafka), new InboundProcessor(new AcceptingCommandBus() as unknown as CommandBus), new Inbox(db), {
      groupId: 'relay-recovery',
      concurrency: 4,
      retryMaxMs: 1_000,
      sessionTimeoutMs: 6_000,
      idempotentProducer: !kafkaMockInUse(),
      metrics,
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await producer?.disconnect();
    await db?.close();
    await kafka?.stop();
  });

  const send = (count: number): Promise<unknown> =>
    producer.send({
      topic: 'feedback.responses.v1',
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => feedbackMessage(`case_${i}`)).map((m) => ({ key: m.caseId as string, value: JSON.stringify(m) })),
    });
  const inbox = (): Promise<number> => new Inbox(db).count('feedback.responses.v1');

  (kafkaMockInUse() ? it : it.skip)('creates a new consumer, says so while it has none, and consumes again', async () => {
    expect(relay.status()).toMatchObject({ state: 'starting', consuming: false });
    await relay.start();
    await send(5);
    await eventually('the first messages applied', async () => (await inbox()) === 5, 30_000);
    await eventually('the first messages counted', async () => (await metricValue(metrics, 'refund_desk_kafka_relay_messages_applied_total')) === 5);
    expect(relay.status()).toMatchObject({ state: 'running', consuming: true, consumerRestarts: 0, lastCrash: null });
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_consumer_running')).toBe(1);

    // A broker refusing the group (as a real one does when an ACL changes) while the consumer must rejoin:
    // kafkajs reports KafkaJSNonRetriableError with restart: false and disconnects the consumer for good.
    // Three refusals: the first new consumers are refused too, so recovery takes a few rounds of backoff.
    await kafka.failRequests('JoinGroup', 'GROUP_AUTHORIZATION_FAILED', 3);
    await kafka.failRequests('Heartbeat', 'REBALANCE_IN_PROGRESS', 1);
    const seen = new Set<string>();
    await eventually('the relay to report the crash', () => {
      const status = relay.status();
      seen.add(status.state);
      return status.lastCrash !== null;
    }, 30_000);
    const crashed = relay.status();
    expect(crashed.lastCrash).toMatchObject({ restart: false });
    expect(crashed.lastCrash!.error).toMatch(/authoriz/i);
    expect(crashed).toMatchObject({ state: 'recovering', consuming: false });
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_consumer_running')).toBe(0);

    // Messages sent while no consumer runs are applied once a new one has joined.
    await send(5);
    await eventually('the messages sent during the outage applied', async () => (await inbox()) === 10, 60_000);
    // The inbox row is written before the offset is committed, and the outcome counted after it.
    await eventually('every applied message counted', async () => (await metricValue(metrics, 'refund_desk_kafka_relay_messages_applied_total')) === 10);
    const recovered = relay.status();
    expect(recovered).toMatchObject({ state: 'running', consuming: true });
    expect(recovered.consumerRestarts).toBeGreaterThanOrEqual(3);
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_consumer_restarts_total')).toBe(recovered.consumerRestarts);
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_consumer_running')).toBe(1);
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_messages_applied_total')).toBe(10);
    expect(await metricValue(metrics, 'refund_desk_kafka_relay_messages_consumed_total')).toBeGreaterThanOrEqual(10);
    await eventually('the lag of every owned partition at 0', () => {
      const { partitions } = relay.status();
      return partitions.length > 0 && partitions.every((p) => p.lag === null || p.lag === 0);
    });
  });
});
