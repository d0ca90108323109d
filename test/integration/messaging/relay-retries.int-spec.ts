import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Producer } from 'kafkajs';
import { CaseCommandResult, RecordFollowUpCommand } from '@refund-desk/case-handling';
import { migrate, PgliteDatabase } from '@refund-desk/database';
import { EventStoreUnavailableError } from '@refund-desk/event-store';
import { InboundProcessor, Inbox, INBOX_MIGRATIONS, KafkaRelay } from '@refund-desk/messaging';
import { collect, describeWithKafka, eventually, kafkaMockInUse, startTestKafka, TestKafka, testKafkaClient, testProducer } from '../../support/kafka/test-kafka';
import { feedbackMessage } from '../../support/kafka/messages';

/** A command bus whose store is down for the first calls, and which chokes on one poisoned case. */
class FlakyCommandBus {
  calls = 0;
  constructor(
    private readonly outageCalls: number,
    private readonly poisonedCase: string,
  ) {}

  async execute(command: RecordFollowUpCommand): Promise<CaseCommandResult> {
    this.calls += 1;
    if (this.calls <= this.outageCalls) throw new EventStoreUnavailableError('the store is restarting');
    if (command.caseId === this.poisonedCase) throw new TypeError("Cannot read properties of undefined (reading 'status')");
    return { caseId: command.caseId, version: 5, position: this.calls, events: [], duplicate: false, state: {} as CaseCommandResult['state'] };
  }
}

describeWithKafka('the relay when applying fails', () => {
  let kafka: TestKafka;
  let db: PgliteDatabase;
  let producer: Producer;
  let relay: KafkaRelay;
  let bus: FlakyCommandBus;

  beforeAll(async () => {
    // The relay logs each retry through Nest's logger; the assertions say what matters here.
    Logger.overrideLogger(false);
    kafka = await startTestKafka();
    db = await PgliteDatabase.open();
    await migrate(db, 'messaging', INBOX_MIGRATIONS);
    producer = await testProducer(kafka);
    bus = new FlakyCommandBus(6, 'case_poisoned');
    relay = new KafkaRelay(testKafkaClient(kafka), new InboundProcessor(bus as unknown as CommandBus), new Inbox(db), {
      groupId: 'relay-retries',
      concurrency: 4,
      retryMaxMs: 300,
      maxUnexpectedAttempts: 3,
      idempotentProducer: !kafkaMockInUse(),
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await producer?.disconnect();
    await db?.close();
    await kafka?.stop();
  });

  const committed = async (): Promise<number> => {
    const admin = testKafkaClient(kafka).admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: 'relay-retries', topics: ['feedback.responses.v1'] });
      return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };

  it('retries through an outage without dead-lettering, and sets a message that keeps failing aside', async () => {
    const good = Array.from({ length: 10 }, (_, i) => feedbackMessage(`case_${i}`));
    const poisoned = feedbackMessage('case_poisoned');
    const dlq = await collect(kafka, ['refunds.dlq.v1']);
    try {
      await producer.send({
        topic: 'feedback.responses.v1',
        acks: -1,
        messages: [...good.slice(0, 5), poisoned, ...good.slice(5)].map((m) => ({ key: m.caseId as string, value: JSON.stringify(m) })),
      });
      await relay.start();

      const inbox = new Inbox(db);
      await eventually('every good message recorded', async () => (await inbox.count('feedback.responses.v1')) === good.length, 60_000);
      await eventually('the poisoned message dead-lettered', () => dlq.messages.length === 1, 60_000);

      expect(relay.stats.retries).toBeGreaterThan(0);
      expect(bus.calls).toBeGreaterThan(good.length + 3);
      const [letter] = dlq.messages;
      expect(JSON.parse(letter.value!.toString()).messageId).toBe(poisoned.messageId);
      expect(letter.headers).toMatchObject({ 'x-error-type': 'unexpected', 'x-source-topic': 'feedback.responses.v1' });
      expect(letter.headers['x-error-message']).toContain('TypeError');
      await eventually('every offset committed', async () => (await committed()) === good.length + 1);
      expect(relay.stats.deadLettered).toBe(1);
    } finally {
      await dlq.stop();
    }
  });
});
