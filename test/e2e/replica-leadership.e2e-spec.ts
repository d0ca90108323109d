import { randomBytes } from 'node:crypto';
import { PostgresDatabase } from '@refund-desk/database';
import { MessagingLifecycle } from '@refund-desk/messaging';
import { ProjectionRunner } from '@refund-desk/read-models';
import { describeWithPostgres, eventsBeyond, openTestSchema, POSTGRES_TEST_URL } from '../support/postgres';
import { collect, describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka } from '../support/kafka/test-kafka';
import { sampleRequest, startTestApp, TestApp, waitForProjections } from '../support/test-app';

/**
 * Two all-in-one replicas on one PostgreSQL schema and one broker, both with the projections and
 * the forwarder switched on and no setting that says "only here": one of each leads at a time,
 * the other takes over when it stops, and nothing is published or projected twice.
 */
describeWithPostgres('replicas on one store', () => {
  describeWithKafka('leadership of the projections and the Kafka forwarder', () => {
    let kafka: TestKafka;
    let schema: Awaited<ReturnType<typeof openTestSchema>>;
    const apps: TestApp[] = [];
    // Replicas share the store, so they share its master key (each test app would generate its own).
    const masterKey = randomBytes(32).toString('base64');
    const openReplica = async (): Promise<TestApp> => {
      const database = await PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema: schema.schema, poolSize: 4 });
      const t = await startTestApp({
        database,
        env: { ...kafkaEnv(kafka), PII_MASTER_KEY: masterKey, KAFKA_RELAY_ENABLED: 'false', KAFKA_RETRY_MAX_MS: '500', LEADER_LEASE_TTL_MS: '1500' },
      });
      apps.push(t);
      return t;
    };
    const forwarderOf = (t: TestApp) => t.app.get(MessagingLifecycle).caseEventForwarder!;

    beforeAll(async () => {
      kafka = await startTestKafka();
      schema = await openTestSchema('replicas');
    });
    afterAll(async () => {
      for (const t of apps) await t.close().catch(() => undefined);
      await kafka?.stop();
      await schema?.drop();
    });

    it('runs each singleton in one replica, hands it over on a graceful stop, and publishes every event once', async () => {
      const [a, b] = [await openReplica(), await openReplica()];
      const agent = a.token('agent_ann', ['agent']);
      const cases: string[] = [];
      const log = async (t: TestApp, n: number): Promise<void> => {
        for (let i = 0; i < n; i++) {
          const logged = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
          expect(logged.status).toBe(201);
          cases.push(logged.body.caseId);
          expect((await t.request('POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent })).status).toBe(200);
        }
      };
      await log(a, 5);
      await log(b, 5);
      await eventually('one forwarder and one projection loop to lead', () => {
        const forwarders = [a, b].filter((t) => forwarderOf(t).leading).length;
        const projections = [a, b].filter((t) => t.app.get(ProjectionRunner).leading).length;
        return forwarders === 1 && projections === 1;
      });
      await waitForProjections(b);
      await eventually('the forwarder to reach the head', async () => (await eventsBeyond(a.db, (await forwarderOf(a).checkpoint()).checkpoint)) === 0);

      // The leader of the forwarder stops gracefully: the other replica takes over at its next check.
      const leader = forwarderOf(a).leading ? a : b;
      const follower = leader === a ? b : a;
      const stoppedAt = Date.now();
      await leader.close();
      apps.splice(apps.indexOf(leader), 1);
      await eventually('the other replica to take the forwarder over', () => forwarderOf(follower).leading, 10_000);
      const takeoverMs = Date.now() - stoppedAt;
      await eventually('the other replica to take the projections over', () => follower.app.get(ProjectionRunner).leading, 10_000);
      await log(follower, 5);
      await waitForProjections(follower);
      await eventually('the new leader to reach the head', async () => (await eventsBeyond(follower.db, (await forwarderOf(follower).checkpoint()).checkpoint)) === 0);

      const stored = await follower.db.query<{ id: string }>('SELECT event_id::text AS id FROM events');
      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('every stored event on the topic', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= stored.rows.length, 30_000);
        const ids = out.messages.map((m) => m.headers['event-id']);
        expect(new Set(ids)).toEqual(new Set(stored.rows.map((row) => row.id)));
        // A graceful handover commits the checkpoint before it lets go: nothing is published twice.
        expect(ids.length).toBe(stored.rows.length);
      } finally {
        await out.stop();
      }
      // Every case escalated once, projected once, into the manager queue.
      const queue = await follower.request('GET', '/v1/queues/manager?limit=100', { token: follower.token('mgr', ['manager']) });
      expect(queue.status).toBe(200);
      expect(new Set(queue.body.items.map((item: { caseId: string }) => item.caseId))).toEqual(new Set(cases));
      console.log(`forwarder taken over ${takeoverMs} ms after a graceful stop (lease TTL 1500 ms)`);
      expect(takeoverMs).toBeLessThan(1_500);
    }, 120_000);
  });
});
