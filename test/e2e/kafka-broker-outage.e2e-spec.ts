import { MessagingLifecycle } from '@refund-desk/messaging';
import { collect, describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka } from '../support/kafka/test-kafka';
import { caseEventErrors, schemaErrors } from '@refund-desk/messaging/testing';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';
import { eventsBeyond } from '../support/postgres';

/** Short, so that the stuck-send test waits little; long beside a send to the local mock (milliseconds). */
const SEND_TIMEOUT_MS = 4_000;

describeWithKafka(
  'the case-event forwarder through a broker outage (PGlite)',
  () => {
    let kafka: TestKafka;
    let t: TestApp;

    beforeAll(async () => {
      kafka = await startTestKafka();
      t = await startTestApp({
        env: { ...kafkaEnv(kafka), KAFKA_RELAY_ENABLED: 'false', KAFKA_RETRY_MAX_MS: '500', KAFKA_FORWARDER_BATCH_SIZE: '25', KAFKA_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) },
      });
    });
    afterAll(async () => {
      await t?.close();
      await kafka?.stop();
    });

    it('delivers every event once the broker is back, each case in order', async () => {
      const agent = t.token('agent_ann', ['agent']);
      const forwarder = t.app.get(MessagingLifecycle).caseEventForwarder!;
      const cases: string[] = [];
      for (let i = 0; i < 8; i++) {
        const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
        cases.push(logged.body.caseId);
      }
      const addNotes = async (round: number): Promise<void> => {
        await Promise.all(
          cases.map(async (caseId) => {
            const answer = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: `round ${round}` } });
            expect(answer.status).toBe(200);
          }),
        );
      };
      const headPosition = async (): Promise<number> => (await t.db.query<{ p: number }>('SELECT max(global_position)::int AS p FROM events')).rows[0].p;

      for (let round = 0; round < 5; round++) await addNotes(round);
      await eventually('the forwarder to catch up before the outage', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0);

      await kafka.down();
      for (let round = 5; round < 15; round++) await addNotes(round);
      const headDuringOutage = await headPosition();
      // The forwarder keeps retrying, and its checkpoint stays where the broker last acknowledged.
      const failedBefore = forwarder.stats.failedAttempts;
      await eventually('the forwarder to fail against the stopped broker', () => forwarder.stats.failedAttempts >= failedBefore + 2, 60_000);
      expect(await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint, headDuringOutage)).toBeGreaterThan(0);
      await kafka.up();
      for (let round = 15; round < 20; round++) await addNotes(round);

      const stored = await t.db.query<{ id: string; stream: string; version: number }>(
        'SELECT event_id::text AS id, stream_id AS stream, stream_version AS version FROM events',
      );
      await eventually('the forwarder to reach the head', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0, 60_000);

      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('every stored event on the topic', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= stored.rows.length, 60_000);
        expect(new Set(out.messages.map((m) => m.headers['event-id']))).toEqual(new Set(stored.rows.map((row) => row.id)));
        for (const caseId of cases) {
          // At-least-once: a repeat after a retry is dropped by event id, as consumers are told to.
          const seen = new Set<string>();
          const versions: number[] = [];
          for (const message of out.messages.filter((m) => m.key === caseId)) {
            if (seen.has(message.headers['event-id'])) continue;
            seen.add(message.headers['event-id']);
            const value = JSON.parse(message.value!.toString());
            expect(schemaErrors('case-event.v1', value)).toBeNull();
            expect(caseEventErrors(value, message.headers)).toBeNull();
            versions.push(value.version);
          }
          expect(versions).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
          expect(new Set(out.messages.filter((m) => m.key === caseId).map((m) => m.partition)).size).toBe(1);
        }
      } finally {
        await out.stop();
      }
    });

    it('replaces its producer when the broker says the idempotent state is lost, and still delivers every event', async () => {
      const agent = t.token('agent_ann', ['agent']);
      const forwarder = t.app.get(MessagingLifecycle).caseEventForwarder!;
      await eventually('the forwarder to catch up', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0, 60_000);
      const resetsBefore = forwarder.stats.producerResets;
      // kafkajs keeps the producer id and its sequence numbers after this answer, so the same
      // producer's next send to the partition would be refused again by a real broker.
      await kafka.failRequests('Produce', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 1);
      const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
      expect(logged.status).toBe(201);
      await eventually('the forwarder to replace its producer', () => forwarder.stats.producerResets === resetsBefore + 1, 30_000);
      await eventually('the forwarder to reach the head with the new producer', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0, 30_000);
      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('the new case on the topic', () => out.messages.some((m) => m.key === logged.body.caseId), 30_000);
      } finally {
        await out.stop();
      }
      const metrics = await t.request('GET', '/metrics');
      expect(metrics.text).toMatch(new RegExp(`^refund_desk_kafka_forwarder_producer_resets_total ${resetsBefore + 1}$`, 'm'));
    });

    it('replaces a producer whose send is stuck past KAFKA_SEND_TIMEOUT_MS, and delivers once the broker answers again', async () => {
      const agent = t.token('agent_ann', ['agent']);
      const forwarder = t.app.get(MessagingLifecycle).caseEventForwarder!;
      await eventually('the forwarder to catch up', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0, 60_000);
      const resetsBefore = forwarder.stats.producerResets;
      // The broker answers every request 10 s late: a send that would succeed, too late. Without a
      // deadline of its own the forwarder waits for it (kafkajs' request timeout is 30 s), and
      // would wait as long for one that never comes. Not longer: a request abandoned in flight keeps
      // its socket open until the answer arrives, past the end of the test.
      await kafka.delayResponses(10_000);
      let logged: { status: number; body: { caseId: string } };
      try {
        const askedAt = Date.now();
        logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
        expect(logged.status).toBe(201);
        await eventually('the forwarder to give up on the stuck send', () => forwarder.stats.producerResets > resetsBefore, 30_000);
        const gaveUpAfterMs = Date.now() - askedAt;
        expect(gaveUpAfterMs).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS - 500);
        expect(gaveUpAfterMs).toBeLessThan(SEND_TIMEOUT_MS + 10_000);
        expect(await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)).toBeGreaterThan(0);
      } finally {
        await kafka.delayResponses(0);
      }
      await eventually('the forwarder to reach the head once the broker answers', async () => (await eventsBeyond(t.db, (await forwarder.checkpoint()).checkpoint)) === 0, 60_000);
      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('the new case on the topic', () => out.messages.some((m) => m.key === logged.body.caseId), 30_000);
      } finally {
        await out.stop();
      }
      const metrics = await t.request('GET', '/metrics');
      expect(Number(/^refund_desk_kafka_forwarder_producer_resets_total (\d+)$/m.exec(metrics.text)?.[1])).toBeGreaterThan(resetsBefore);
    }, 120_000);
  },
  { faults: true },
);
