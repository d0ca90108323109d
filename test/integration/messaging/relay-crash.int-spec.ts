import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Producer } from 'kafkajs';
import { PostgresDatabase } from '@refund-desk/database';
import { collect, describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka, testKafkaClient, testProducer } from '../../support/kafka/test-kafka';
import { requestMessage } from '../../support/kafka/messages';
import { describeWithPostgres, openTestSchema, POSTGRES_TEST_URL } from '../../support/postgres';

const ROOT = join(__dirname, '..', '..', '..');
const MESSAGES = 1_500;

describeWithPostgres('the relay process killed mid-batch (PostgreSQL)', () => {
  describeWithKafka('SIGKILL and restart', () => {
    let kafka: TestKafka;
    let schema: Awaited<ReturnType<typeof openTestSchema>>;
    let db: PostgresDatabase;
    let producer: Producer;
    const children: ChildProcess[] = [];

    /** The real relay process (apps/kafka-relay), run from the TypeScript sources. */
    const startRelay = (): ChildProcess => {
      const child = fork(join(ROOT, 'apps', 'kafka-relay', 'src', 'main.ts'), [], {
        execArgv: ['-r', join(ROOT, 'test', 'support', 'register-ts.js')],
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          TZ: 'UTC',
          LOG_LEVEL: 'warn',
          // /health and /metrics on a port the kernel picks: several relays run side by side.
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: POSTGRES_TEST_URL,
          DATABASE_SCHEMA: schema.schema,
          DATABASE_POOL_SIZE: '5',
          ...kafkaEnv(kafka),
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          KAFKA_RETRY_MAX_MS: '1000',
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[relay ${child.pid}] ${chunk.toString()}`));
      children.push(child);
      return child;
    };
    /** Fails the wait at once when a relay the test did not kill has exited. */
    const alive = (child: ChildProcess): void => {
      if (child.exitCode !== null) throw new Error(`the relay exited by itself with code ${child.exitCode}`);
    };

    const count = async (sql: string): Promise<number> => {
      try {
        return (await db.query<{ n: number }>(sql)).rows[0].n;
      } catch (error) {
        // The relay creates the tables on start; until then there is nothing to count.
        if ((error as { code?: string }).code === '42P01') return 0;
        throw error;
      }
    };
    const committedOffsets = async (): Promise<number> => {
      const admin = testKafkaClient(kafka).admin();
      await admin.connect();
      try {
        const [topic] = await admin.fetchOffsets({ groupId: 'refund-desk', topics: ['refunds.requests.v1'] });
        return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      } finally {
        await admin.disconnect();
      }
    };
    const requestsLogged = (): Promise<number> => count(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RequestLogged'`);

    beforeAll(async () => {
      schema = await openTestSchema('kafka_kill');
      db = schema.db;
      kafka = await startTestKafka();
      producer = await testProducer(kafka);
    });
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await producer?.disconnect();
      await kafka?.stop();
      await schema?.drop();
    });

    it('loses nothing and applies nothing twice', async () => {
      const now = new Date();
      const messages = Array.from({ length: MESSAGES }, (_, i) => requestMessage(now, { order: { id: `ord_${i}`, purchasedAt: '2026-01-10T10:00:00Z', country: 'IT', paymentMethod: 'card' } }));
      for (let i = 0; i < messages.length; i += 250) {
        await producer.send({
          topic: 'refunds.requests.v1',
          acks: -1,
          messages: messages.slice(i, i + 250).map((m) => ({ key: (m.order as { id: string }).id, value: JSON.stringify(m) })),
        });
      }

      const first = startRelay();
      await eventually('the first relay to apply some messages', async () => (alive(first), (await requestsLogged()) >= 100), 60_000);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const atKill = await requestsLogged();
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(MESSAGES);
      // Mid-batch: effects were recorded whose offsets were not committed yet, so they come again.
      expect(await committedOffsets()).toBeLessThan(atKill);

      const second = startRelay();
      await eventually('every request applied after the restart', async () => (alive(second), (await requestsLogged()) >= MESSAGES), 90_000);
      await eventually('the inbox to hold every message', async () => (await count('SELECT count(*)::int AS n FROM kafka_inbox')) >= MESSAGES, 30_000);

      expect(await requestsLogged()).toBe(MESSAGES);
      expect(await count(`SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE event_type = 'RequestLogged'`)).toBe(MESSAGES);
      expect(await count(`SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'refundCase-%' AND stream_version > 1`)).toBe(0);
      expect(await count('SELECT count(*)::int AS n FROM kafka_inbox')).toBe(MESSAGES);
      expect(await count(`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'kafka:refunds.requests.v1'`)).toBe(MESSAGES);
      const orders = await db.query<{ order_id: string }>(`SELECT data->'order'->>'id' AS order_id FROM events WHERE event_type = 'RequestLogged'`);
      expect(new Set(orders.rows.map((row) => row.order_id))).toEqual(new Set(messages.map((m) => (m.order as { id: string }).id)));

      // The forwarder ran in both processes too: every event reached the topic at least once.
      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('every event on refunds.case-events.v1', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= MESSAGES + 1, 60_000);
      } finally {
        await out.stop();
      }
      const ids = await db.query<{ id: string }>('SELECT event_id::text AS id FROM events');
      expect(new Set(out.messages.map((m) => m.headers['event-id']))).toEqual(new Set(ids.rows.map((row) => row.id)));
    });
  });
});
