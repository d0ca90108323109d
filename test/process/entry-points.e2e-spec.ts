/**
 * Every built entry point started as operators start it (`node dist/apps/<app>/src/main.js`, after
 * one `npm run build`), on PGlite and on PostgreSQL: each must come up and answer its readiness
 * check, and the split layout (API, projector and Kafka relay as separate processes on one
 * database) must carry a command from the API through the projector to a read model.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeWithKafka, kafkaEnv, startTestKafka, testProducer, TestKafka } from '../support/kafka/test-kafka';
import { describeWithPostgres, POSTGRES_TEST_URL } from '../support/postgres';
import {
  baseEnv,
  ENTRY_POINTS,
  ensureBuilt,
  Exit,
  escalatingRequest,
  eventually,
  freePort,
  http,
  randomMasterKey,
  runCli,
  ServiceProcess,
} from '../support/processes';

jest.setTimeout(180_000);

const started: ServiceProcess[] = [];
const start = (name: string, entry: string, env: Record<string, string>): ServiceProcess => {
  const service = ServiceProcess.start(name, entry, env);
  started.push(service);
  return service;
};

beforeAll(() => ensureBuilt(), 10 * 60_000);
afterAll(() => {
  for (const service of started) service.kill();
});

/** The token command of the built CLI, against the same secret as the services. */
async function cliToken(env: Record<string, string>, sub: string, roles: string): Promise<string> {
  const minted = await runCli(['token', '--sub', sub, '--roles', roles], env);
  expect(minted).toMatchObject({ code: 0 });
  return minted.stdout.trim();
}

/** Logs a case and evaluates it; the default policy escalates it to the manager queue. */
async function escalateOneCase(api: string, agent: string): Promise<{ caseId: string; position: number; evaluationMs: number }> {
  const logged = await http(api, 'POST', '/v1/cases', { token: agent, body: escalatingRequest(), headers: { 'idempotency-key': randomBytes(8).toString('hex') } });
  expect(logged.status).toBe(201);
  const begun = Date.now();
  const evaluated = await http(api, 'POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent });
  const evaluationMs = Date.now() - begun;
  expect(evaluated.status).toBe(200);
  expect(evaluated.body.status).toBe('escalated');
  return { caseId: logged.body.caseId, position: evaluated.body.position, evaluationMs };
}

async function inManagerQueue(api: string, manager: string, caseId: string, position: number): Promise<boolean> {
  const queue = await http(api, 'GET', `/v1/queues/manager?minPosition=${position}&limit=200`, { token: manager });
  expect(queue.status).toBe(200);
  return queue.headers.get('x-min-position-reached') === 'true' && queue.body.items.some((item: { caseId: string }) => item.caseId === caseId);
}

/**
 * Shut down by SIGTERM with nothing left hanging: Nest runs the shutdown hooks, then raises the
 * signal again, so a clean stop ends by SIGTERM (a hung one would end by the SIGKILL of stop()).
 */
function expectCleanExit(exit: Exit): void {
  expect([{ code: 0, signal: null }, { code: null, signal: 'SIGTERM' }]).toContainEqual(exit);
}

/** The relay's liveness file: written once its consumer fetches or heartbeats. */
const relayAlive = (file: string): boolean => existsSync(file) && !Number.isNaN(Date.parse(readFileSync(file, 'utf8')));

describe('built entry points on PGlite (DATA_DIR)', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'refund-desk-proc-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('npm start (API and projector in one process): ready, a command reaches the manager queue, the CLI is refused while it runs and works after SIGTERM', async () => {
    const env = baseEnv({ DATA_DIR: dataDir(), PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()) });
    const service = start('refund-desk', ENTRY_POINTS.all, env);
    await service.waitReady();
    const agent = await cliToken(env, 'agent_ann', 'agent');
    const manager = await cliToken(env, 'mgr_marco', 'manager');
    const { caseId, position } = await escalateOneCase(service.url, agent);
    expect(await inManagerQueue(service.url, manager, caseId, position)).toBe(true);

    // The embedded store serves one process: the CLI names the service that holds it.
    const refused = await runCli(['audit', 'verify'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`in use by process ${service.pid}\\b`));

    expectCleanExit(await service.stop());
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(/^OK: \d+ events in \d+ streams verified/m);
  });

  it('starts again at once on the data folder of a process killed with SIGKILL', async () => {
    const env = baseEnv({ DATA_DIR: dataDir(), PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()) });
    const first = start('refund-desk (to be killed)', ENTRY_POINTS.all, env);
    await first.waitReady();
    first.kill();
    await first.exited;
    const second = start('refund-desk (restarted)', ENTRY_POINTS.all, env);
    const readyMs = await second.waitReady();
    console.log(`restart right after kill -9 on PGlite: ready in ${readyMs} ms`);
    expectCleanExit(await second.stop());
  });

  it('npm run start:projector: the projector process alone comes up and reports its read models', async () => {
    // NODE_ENV=production asks every process for the master key, the projector too.
    const env = baseEnv({ DATA_DIR: dataDir(), PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()) });
    const projector = start('projector', ENTRY_POINTS.projector, env);
    await projector.waitReady();
    const health = await http(projector.url, 'GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', store: { name: 'pglite', reachable: true } });
    expect(health.body.projections.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['customer_history', 'manager_queue', 'follow_up_queue', 'customer_timeline', 'trend_analytics']),
    );
    expectCleanExit(await projector.stop());
  });

  it('npm run start:api: the API process alone comes up', async () => {
    const env = baseEnv({ DATA_DIR: dataDir(), PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()) });
    const api = start('api', ENTRY_POINTS.api, env);
    await api.waitReady();
    const docs = await http(api.url, 'GET', '/docs-json');
    expect(docs.status).toBe(200);
    expectCleanExit(await api.stop());
  });

  describeWithKafka('with the Kafka test broker', () => {
    let kafka: TestKafka;
    beforeAll(async () => {
      kafka = await startTestKafka();
    });
    afterAll(() => kafka?.stop());

    it('npm run start:kafka-relay: the relay process alone joins the broker and stays up', async () => {
      const dir = dataDir();
      const healthFile = join(dir, 'relay.alive');
      // The relay process serves /health and /metrics on PORT.
      const env = baseEnv({ DATA_DIR: dir, PII_MASTER_KEY: randomMasterKey(), KAFKA_HEALTH_FILE: healthFile, KAFKA_GROUP_ID: `g-${randomBytes(4).toString('hex')}`, PORT: String(await freePort()), ...kafkaEnv(kafka) });
      const relay = start('kafka-relay', ENTRY_POINTS.kafkaRelay, env);
      await eventually('the relay to touch its health file', () => relay.exitStatus !== null || relayAlive(healthFile), 90_000);
      expect(relay.exitStatus).toBeNull();
      await eventually('the relay process to report its consumer on /health', async () => (await http(relay.url, 'GET', '/health').catch(() => null))?.body?.kafka?.relay?.consuming === true, 30_000);
      expectCleanExit(await relay.stop());
    });
  });
});

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
    for (const service of started) await service.stop(5_000);
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
    });

    it('each process shuts down cleanly on SIGTERM', async () => {
      const exits = await Promise.all([api.stop(), projector.stop(), relay.stop()]);
      for (const exit of exits) expectCleanExit(exit);
    });
  });
});
