/**
 * Every built entry point started as operators start it (`node dist/apps/<app>/src/main.js`, after
 * one `npm run build`) on PGlite: each must come up and answer its readiness check, and stop
 * cleanly. The PostgreSQL half, with the split layout, is entry-points-postgres.e2e-spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithKafka, kafkaEnv, startTestKafka, TestKafka } from '../support/kafka/test-kafka';
import { baseEnv, ENTRY_POINTS, eventually, freePort, http, randomMasterKey, runCli } from '../support/processes';
import { cliToken, escalateOneCase, expectCleanExit, inManagerQueue, relayAlive, setUpProcessSuite, start } from './entry-point-checks';

setUpProcessSuite();

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
      const env = baseEnv({ DATA_DIR: dir, PII_MASTER_KEY: randomMasterKey(), KAFKA_HEALTH_FILE: healthFile, KAFKA_GROUP_ID: `g-${randomBytes(4).toString('hex')}`, PORT: String(await freePort()), ...kafkaEnv(kafka) });
      const relay = start('kafka-relay', ENTRY_POINTS.kafkaRelay, env);
      await eventually('the relay to touch its health file', () => relay.exitStatus !== null || relayAlive(healthFile), 90_000);
      expect(relay.exitStatus).toBeNull();
      await eventually('the relay process to report its consumer on /health', async () => (await http(relay.url, 'GET', '/health').catch(() => null))?.body?.kafka?.relay?.consuming === true, 30_000);
      expectCleanExit(await relay.stop());
    });
  });
});
