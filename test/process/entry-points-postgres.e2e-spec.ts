/**
 * Every built entry point on PostgreSQL (DATABASE_URL): `npm start`'s process, and the split
 * layout (API, projector and Kafka relay as separate processes on one database) carrying a
 * command from the API through the projector to a read model, a Kafka request through the relay,
 * and the CLI against the shared database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeWithKafka, kafkaEnv, startTestKafka, testProducer, TestKafka } from '../support/kafka/test-kafka';
import { describeWithPostgres, POSTGRES_TEST_URL } from '../support/postgres';
import { baseEnv, ENTRY_POINTS, escalatingRequest, eventually, freePort, http, randomMasterKey, runCli, ServiceProcess } from '../support/processes';
import { cliToken, escalateOneCase, expectCleanExit, inManagerQueue, relayAlive, setUpProcessSuite, start, stopAll } from './entry-point-checks';

setUpProcessSuite();

describeWithPostgres('built entry points on PostgreSQL (DATABASE_URL)', () => {
  const schemas: string[] = [];
  const dirs: string[] = [];
  const newSchema = (): string => {
    const schema = `proc_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'refund-desk-proc-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await stopAll();
    const client = new Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    try {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('npm start: ready, and a command reaches the manager queue', async () => {
    const env = baseEnv({ DATABASE_URL: POSTGRES_TEST_URL, DATABASE_SCHEMA: newSchema(), DATA_DIR: dataDir(), PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()) });
    const service = start('refund-desk', ENTRY_POINTS.all, env);
    await service.waitReady();
    const agent = await cliToken(env, 'agent_ann', 'agent');
    const manager = await cliToken(env, 'mgr_marco', 'manager');
    const { caseId, position } = await escalateOneCase(service.url, agent);
    expect(await inManagerQueue(service.url, manager, caseId, position)).toBe(true);
    expectCleanExit(await service.stop());
  });

  describeWithKafka('the split layout: start:api + start:projector + start:kafka-relay on one database', () => {
    let kafka: TestKafka;
    let env: Record<string, string>;
    let api: ServiceProcess;
    let projector: ServiceProcess;
    let relay: ServiceProcess;
    let healthFile: string;

    beforeAll(async () => {
      kafka = await startTestKafka();
      const dir = dataDir();
      healthFile = join(dir, 'relay.alive');
      // Shared by the three, as in docker-compose: one database and schema, one master key. The
      // API and the projector get no KAFKA_BROKERS: Kafka is the relay's business here.
      env = baseEnv({
        DATABASE_URL: POSTGRES_TEST_URL,
        DATABASE_SCHEMA: newSchema(),
        DATA_DIR: dir,
        PII_MASTER_KEY: randomMasterKey(),
      });
      const [apiPort, projectorPort, relayPort] = [await freePort(), await freePort(), await freePort()];
      api = start('api', ENTRY_POINTS.api, { ...env, PORT: String(apiPort) });
      projector = start('projector', ENTRY_POINTS.projector, { ...env, PORT: String(projectorPort) });
      relay = start('kafka-relay', ENTRY_POINTS.kafkaRelay, {
        ...env,
        ...kafkaEnv(kafka),
        KAFKA_GROUP_ID: `g-${randomBytes(4).toString('hex')}`,
        KAFKA_HEALTH_FILE: healthFile,
        PORT: String(relayPort),
      });
      await Promise.all([api.waitReady(), projector.waitReady()]);
      await eventually('the relay to touch its health file', () => relay.exitStatus !== null || relayAlive(healthFile), 90_000);
      expect(relay.exitStatus).toBeNull();
    }, 240_000);

    afterAll(() => kafka?.stop());

    it('each process reports ready: the API and the projector on /health, the relay through its health file', async () => {
      const projectorHealth = await http(projector.url, 'GET', '/health');
      expect(projectorHealth.body).toMatchObject({ status: 'ok', store: { name: 'postgres', reachable: true } });
      expect((await http(api.url, 'GET', '/health')).status).toBe(200);
      expect(relayAlive(healthFile)).toBe(true);
    });

    it('a command through the API moves the manager queue via the projector process, and evaluation does not wait for the customer history', async () => {
      const agent = await cliToken(env, 'agent_ann', 'agent');
      const manager = await cliToken(env, 'mgr_marco', 'manager');
      const first = await escalateOneCase(api.url, agent);
      // The API runs no projections: only the projector process can move the queue.
      expect(await inManagerQueue(api.url, manager, first.caseId, first.position)).toBe(true);
      const second = await escalateOneCase(api.url, agent);
      expect(await inManagerQueue(api.url, manager, second.caseId, second.position)).toBe(true);
      console.log(`split layout: evaluation took ${first.evaluationMs} ms and ${second.evaluationMs} ms`);
      // Without a running projector each evaluation waited ~4 s for the customer history read model.
      expect(second.evaluationMs).toBeLessThan(3_000);
    });

    it('a refund request published to Kafka is applied by the relay process and shows in the customer timeline', async () => {
      const request: Record<string, unknown> = { ...escalatingRequest(), messageId: `msg-${randomBytes(8).toString('hex')}`, source: 'storefront' };
      const producer = await testProducer(kafka);
      try {
        const order = request.order as { id: string };
        await producer.send({ topic: 'refunds.requests.v1', messages: [{ key: order.id, value: JSON.stringify(request) }] });
      } finally {
        await producer.disconnect();
      }
      const agent = await cliToken(env, 'agent_ann', 'agent');
      const customerId = (request.customer as { id: string }).id;
      await eventually(
        'the relayed case in the customer timeline',
        async () => (await http(api.url, 'GET', `/v1/customers/${customerId}/timeline`, { token: agent })).body.items?.length > 0,
        60_000,
        250,
      );
    });

    it('the CLI works against the shared database: audit verify, and a rebuild that leaves the queue as it was', async () => {
      const manager = await cliToken(env, 'mgr_marco', 'manager');
      const before = await http(api.url, 'GET', '/v1/queues/manager?limit=200', { token: manager });
      const verified = await runCli(['audit', 'verify'], env);
      expect(verified).toMatchObject({ code: 0 });
      expect(verified.stdout).toMatch(/^OK: \d+ events in \d+ streams verified/m);
      const rebuilt = await runCli(['rebuild', 'manager_queue'], env);
      expect(rebuilt.code).toBe(0);
      const after = await http(api.url, 'GET', '/v1/queues/manager?limit=200', { token: manager });
      expect(after.body.items).toEqual(before.body.items);

      // While another process rebuilds it (its lease, held here in the table), the CLI says who and exits 1, with no stack trace.
      const client = new Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      try {
        const leases = `${env.DATABASE_SCHEMA}.leases`;
        await client.query(
          `UPDATE ${leases} SET holder = 'replica-on-host-b', token = token + 1, expires_at = now() + interval '1 minute' WHERE name = 'rebuild:manager_queue'`,
        );
        const busy = await runCli(['rebuild', 'all'], env);
        expect(busy.code).toBe(1);
        expect(busy.stderr).toContain('Not rebuilt: Read model manager_queue is being rebuilt by replica-on-host-b');
        expect(busy.stderr).not.toMatch(/^\s+at /m);
        await client.query(`UPDATE ${leases} SET expires_at = now() - interval '1 millisecond' WHERE name = 'rebuild:manager_queue'`);
      } finally {
        await client.end();
      }
    });

    it('each process shuts down cleanly on SIGTERM', async () => {
      const exits = await Promise.all([api.stop(), projector.stop(), relay.stop()]);
      for (const exit of exits) expectCleanExit(exit);
    });
  });
});
