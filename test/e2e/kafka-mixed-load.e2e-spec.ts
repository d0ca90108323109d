import { Producer } from 'kafkajs';
import { deterministicId } from '@refund-desk/case-handling';
import { MessagingLifecycle } from '@refund-desk/messaging';
import { collect, describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka, testProducer } from '../support/kafka/test-kafka';
import { decidedCase, feedbackMessage, refundStatusMessage, requestMessage } from '../support/kafka/messages';
import { startTestApp, TestApp } from '../support/test-app';

interface Outgoing {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  /** The DLQ reason a bad message must carry; undefined for a good one. */
  readonly expectError?: string;
}

/** Deterministic shuffle (a fixed LCG), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const next = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describeWithKafka('1,000 mixed messages, 10% of them bad (PGlite)', () => {
  let kafka: TestKafka;
  let t: TestApp;
  let producer: Producer;

  beforeAll(async () => {
    kafka = await startTestKafka();
    t = await startTestApp({ env: { ...kafkaEnv(kafka), KAFKA_RETRY_MAX_MS: '1000' } });
    producer = await testProducer(kafka);
    await t.app.get(MessagingLifecycle).relayStarted;
  });
  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await kafka?.stop();
  });

  it('applies every good message once, dead-letters every bad one with its reason, and keeps consuming', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const now = t.clock.now();
    const cases: string[] = [];
    for (let i = 0; i < 20; i++) cases.push(await decidedCase(t, agent));

    const requests = Array.from({ length: 800 }, () => requestMessage(now));
    const issued = cases.map((caseId) => refundStatusMessage(caseId, { status: 'issued', reference: `pay_${caseId}` }));
    const settled = cases.map((caseId) => refundStatusMessage(caseId, { status: 'settled', reference: `pay_${caseId}` }));
    const feedback = cases.map((caseId) => feedbackMessage(caseId, { satisfaction: 3 }));
    const json = (topic: string, key: string, value: object): Outgoing => ({ topic, key, value: JSON.stringify(value) });

    const first: Outgoing[] = [
      ...requests.map((m) => json('refunds.requests.v1', (m.order as { id: string }).id, m)),
      ...issued.map((m) => json('payments.refund-status.v1', m.caseId as string, m)),
      ...feedback.map((m) => json('feedback.responses.v1', m.caseId as string, m)),
      // Redeliveries of good messages: no second effect.
      ...requests.slice(0, 40).map((m) => json('refunds.requests.v1', (m.order as { id: string }).id, m)),
    ];
    const bad: Outgoing[] = [
      ...Array.from({ length: 50 }, (_, i) => ({ topic: 'refunds.requests.v1', key: `ord_broken_${i}`, value: JSON.stringify(requestMessage(now)).slice(0, 40 + i), expectError: 'malformed' })),
      ...Array.from({ length: 20 }, (_, i) => ({ ...json('refunds.requests.v1', `ord_invalid_${i}`, { ...requestMessage(now), channel: 'pigeon' }), expectError: 'validation' })),
      ...Array.from({ length: 10 }, (_, i) => ({ ...json('feedback.responses.v1', `case_${i}`, feedbackMessage(`case_${i}`, { satisfaction: 9 })), expectError: 'validation' })),
      ...Array.from({ length: 20 }, (_, i) => ({ ...json('payments.refund-status.v1', `unknown_${i}`, refundStatusMessage(`unknown_${i}`, {})), expectError: 'case_not_found' })),
    ];
    // Settlements come after their issue (same key, same partition): the second half of the stream.
    const sequence = [...shuffle([...first, ...bad], 7), ...settled.map((m) => json('payments.refund-status.v1', m.caseId as string, m))];
    expect(sequence).toHaveLength(1_000);
    expect(bad).toHaveLength(100);

    const out = await collect(kafka, ['refunds.dlq.v1']);
    try {
      for (let i = 0; i < sequence.length; i += 100) {
        const chunk = sequence.slice(i, i + 100);
        const byTopic = new Map<string, Outgoing[]>();
        for (const message of chunk) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages: messages.map(({ key, value }) => ({ key, value })) })),
        });
      }

      const count = async (sql: string, params: unknown[] = []): Promise<number> => (await t.db.query<{ n: number }>(sql, params)).rows[0].n;
      await eventually('every request applied', async () => (await count(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RequestLogged'`)) >= 20 + 800, 120_000);
      await eventually('every settlement applied', async () => (await count(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RefundSettled'`)) >= 20, 60_000);
      await eventually('every bad message in the DLQ', () => out.messages.length >= 100, 60_000);

      // Still consuming after all of it.
      const last = requestMessage(now);
      await producer.send({ topic: 'refunds.requests.v1', acks: -1, messages: [{ key: 'ord_last', value: JSON.stringify(last) }] });
      const lastCase = deterministicId('case', 'kafka:refunds.requests.v1', last.messageId);
      await eventually('a message after the load', async () => (await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`refundCase-${lastCase}`])) === 1);

      for (const m of requests) {
        const caseId = deterministicId('case', 'kafka:refunds.requests.v1', m.messageId);
        expect(await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`refundCase-${caseId}`])).toBe(1);
      }
      expect(await count(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RequestLogged'`)).toBe(20 + 800 + 1);
      for (const type of ['RefundIssued', 'RefundSettled', 'FollowedUp']) {
        expect(await count('SELECT count(*)::int AS n FROM events WHERE event_type = $1', [type])).toBe(20);
      }
      // The inbox row follows the effect (it is written after the append), so the last message's may lag its event.
      await eventually('every applied message in the inbox', async () => (await count('SELECT count(*)::int AS n FROM kafka_inbox')) >= 800 + 60 + 1, 10_000).catch(() => undefined);
      expect(await count('SELECT count(*)::int AS n FROM kafka_inbox')).toBe(800 + 60 + 1);

      expect(out.messages).toHaveLength(100);
      const letters = new Map(out.messages.map((m) => [m.value!.toString(), m]));
      for (const message of bad) {
        const letter = letters.get(message.value);
        expect(letter).toBeDefined();
        expect(letter!.key).toBe(message.key);
        expect(letter!.headers).toMatchObject({ 'x-source-topic': message.topic, 'x-error-type': message.expectError });
        expect(letter!.headers['x-error-message'].length).toBeGreaterThan(0);
      }
    } finally {
      await out.stop();
    }
    // PGlite serves the relay and every projection on one connection: 1,000 messages take a while on a busy machine.
  }, 300_000);
});
