import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Producer } from 'kafkajs';
import { PostgresDatabase } from '@refund-desk/database';
import { INBOUND_TOPICS } from '@refund-desk/messaging';
import { describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka, testKafkaClient, testProducer } from '../../support/kafka/test-kafka';
import { requestMessage } from '../../support/kafka/messages';
import { freePort } from '../../support/processes';
import { describeWithPostgres, openTestSchema, POSTGRES_TEST_URL } from '../../support/postgres';

const ROOT = join(__dirname, '..', '..', '..');
const GROUP = 'refund-desk';
const PARTITIONS = 6;
// Every inbound topic the relay subscribes to (the appeals topic made it four).
const INBOUND_PARTITIONS = INBOUND_TOPICS.length * PARTITIONS;
// The shipped defaults (README, "Kafka"): what the bounds below are stated for.
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 1_000;
const REBALANCE_TIMEOUT_MS = 20_000;
/**
 * librdkafka's mock coordinator ends every rebalance after a fixed delay of the session timeout
 * less one second, even when every member has rejoined (a real broker moves on as soon as they
 * have, a heartbeat or two later). So on the mock a member that leaves frees its partitions after
 * that delay, and one that dies silently after its session has expired and then that delay.
 */
const MOCK_REBALANCE_MS = SESSION_TIMEOUT_MS - 1_000;
/** The relays' longest backoff (KAFKA_RETRY_MAX_MS), also the longest wait before a crashed consumer is replaced. */
const RETRY_MAX_MS = 1_000;
/**
 * What one rebalance costs on the mock: its fixed delay, a heartbeat for every member to hear that
 * it ended, the relay's backoff before a consumer replaced after a SyncGroup race joins (which
 * starts the next rebalance), and a second for the JoinGroup and SyncGroup round trips on a loaded
 * 2-core machine. A CI run with three races took 46.7 s, about 11.7 s a rebalance.
 */
const REBALANCE_COST_MS = MOCK_REBALANCE_MS + HEARTBEAT_MS + RETRY_MAX_MS + 1_000;
/**
 * A relay that exits without a LeaveGroup is noticed when its session expires, at least a session less a heartbeat
 * after it last spoke; with one, the others hear of the rebalance at their next heartbeat. Half of that is the bound.
 */
const NOTICE_BOUND_MS = (SESSION_TIMEOUT_MS - HEARTBEAT_MS) / 2;
/** From the last restart to zero lag: a dead member's session, a rebalance for its loss and one for its replacement, the replacement booting and the backlog on a loaded 2-core machine. */
const DRAIN_BOUND_MS = SESSION_TIMEOUT_MS + 2 * MOCK_REBALANCE_MS + 30_000;

/**
 * Relay processes killed and stopped while requests arrive. A member stopped with SIGTERM leaves
 * the group, so its partitions move at once; one killed with SIGKILL is noticed after the session
 * timeout. The test bounds the time from the last restart until every message is applied and
 * committed (zero lag) and prints the times it measured.
 */
describeWithPostgres('relays restarting under load (PostgreSQL)', () => {
  describeWithKafka('rebalances', () => {
    let kafka: TestKafka;
    let schema: Awaited<ReturnType<typeof openTestSchema>>;
    let db: PostgresDatabase;
    let producer: Producer;
    const children: ChildProcess[] = [];
    let produced = 0;

    const ports = new Map<ChildProcess, number>();
    type RelayHealth = { state: string; partitions: { topic: string; partition: number }[]; consumerRestarts: number; lastRebalanceAt: string | null };
    /** The relay status a relay process reports in its /health, or null while it does not answer. */
    const relayHealth = async (child: ChildProcess): Promise<RelayHealth | null> => {
      try {
        const response = await fetch(`http://127.0.0.1:${ports.get(child)}/health`);
        const body = (await response.json()) as { kafka?: { relay?: RelayHealth } };
        return body.kafka?.relay ?? null;
      } catch {
        return null;
      }
    };
    /** The partitions a relay process says its consumer owns (its /health), or null while it does not answer. */
    const owned = async (child: ChildProcess): Promise<string[] | null> => {
      const relay = await relayHealth(child);
      if (relay === null) return null;
      return relay.state === 'running' ? relay.partitions.map((p) => `${p.topic}:${p.partition}`) : [];
    };
    /** Consumers these relays created anew after a crash kafkajs would not restart, in all. */
    const consumerRestarts = async (members: readonly ChildProcess[]): Promise<number> =>
      (await Promise.all(members.map(relayHealth))).reduce((n, r) => n + (r?.consumerRestarts ?? 0), 0);
    /** Every inbound partition owned by exactly one of these relays: the group is stable. */
    const stable = async (members: readonly ChildProcess[]): Promise<boolean> => {
      const all = (await Promise.all(members.map(owned))).flatMap((list) => list ?? []);
      return all.length === INBOUND_PARTITIONS && new Set(all).size === INBOUND_PARTITIONS;
    };

    const startRelay = async (): Promise<ChildProcess> => {
      const port = await freePort();
      const child = fork(join(ROOT, 'apps', 'kafka-relay', 'src', 'main.ts'), [], {
        execArgv: ['-r', join(ROOT, 'test', 'support', 'register-ts.js')],
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          TZ: 'UTC',
          LOG_LEVEL: process.env.CHURN_LOG_LEVEL ?? 'warn',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: POSTGRES_TEST_URL,
          DATABASE_SCHEMA: schema.schema,
          DATABASE_POOL_SIZE: '4',
          ...kafkaEnv(kafka),
          KAFKA_GROUP_ID: GROUP,
          KAFKA_FORWARDER_ENABLED: 'false',
          KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
          KAFKA_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
          KAFKA_REBALANCE_TIMEOUT_MS: String(REBALANCE_TIMEOUT_MS),
          KAFKA_RETRY_MAX_MS: String(RETRY_MAX_MS),
        },
        stdio: ['ignore', process.env.CHURN_LOG_LEVEL ? 'inherit' : 'ignore', 'pipe', 'ipc'],
      });
      child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[relay ${child.pid}] ${chunk.toString()}`));
      children.push(child);
      ports.set(child, port);
      return child;
    };
    const exited = (child: ChildProcess): Promise<void> =>
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

    const count = async (sql: string): Promise<number> => {
      try {
        return (await db.query<{ n: number }>(sql)).rows[0].n;
      } catch (error) {
        if ((error as { code?: string }).code === '42P01') return 0;
        throw error;
      }
    };
    const applied = (): Promise<number> => count(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RequestLogged'`);
    const committed = async (): Promise<number> => {
      const admin = testKafkaClient(kafka).admin();
      await admin.connect();
      try {
        const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: ['refunds.requests.v1'] });
        return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      } finally {
        await admin.disconnect();
      }
    };
    /** Zero lag: every produced message applied and its offset committed. */
    const drained = async (): Promise<boolean> => (await applied()) >= produced && (await committed()) >= produced;

    const publish = async (n: number): Promise<void> => {
      const now = new Date();
      const messages = Array.from({ length: n }, (_, i) =>
        requestMessage(now, { order: { id: `ord_${produced + i}`, purchasedAt: '2026-01-10T10:00:00Z', country: 'IT', paymentMethod: 'card' } }),
      );
      produced += n;
      await producer.send({
        topic: 'refunds.requests.v1',
        acks: -1,
        messages: messages.map((m) => ({ key: (m.order as { id: string }).id, value: JSON.stringify(m) })),
      });
    };

    beforeAll(async () => {
      schema = await openTestSchema('kafka_churn');
      db = schema.db;
      kafka = await startTestKafka({ partitions: PARTITIONS });
      producer = await testProducer(kafka);
    });
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await producer?.disconnect();
      await kafka?.stop();
      await schema?.drop();
    });

    it('moves a stopped relay’s partitions at once and drains within the bound after SIGKILLs', async () => {
      const relays = [await startRelay(), await startRelay(), await startRelay()];
      await publish(150);
      await eventually('three relays to drain the first requests', drained, 90_000);
      await eventually('the three relays to share every partition', () => stable(relays), 60_000);
      // And to stay so for a few heartbeats: a rebalance still settling when the SIGTERM comes would
      // be a second one on the mock (each takes MOCK_REBALANCE_MS), measured as if the leave caused it.
      for (let settledSince = Date.now(); Date.now() - settledSince < 3 * HEARTBEAT_MS; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (!(await stable(relays))) settledSince = Date.now();
      }
      const phase = (what: string): boolean => process.stdout.write(`[churn ${new Date().toISOString()}] ${what}\n`);
      phase('three relays drained the first requests and share the partitions');

      // SIGTERM: the relay leaves the group; the others take its partitions before any session could time out.
      const restartsBefore = await consumerRestarts(relays.slice(1));
      const stoppedAt = Date.now();
      relays[0].kill('SIGTERM');
      await publish(60);
      await eventually('the stopped relay to exit', async () => relays[0].exitCode !== null || relays[0].signalCode !== null, 15_000);
      phase(`the stopped relay exited ${Date.now() - stoppedAt} ms after the SIGTERM (${relays[0].exitCode ?? relays[0].signalCode})`);
      // What the LeaveGroup buys: the coordinator starts the rebalance at once, and the others hear of it at their next
      // heartbeat or commit. A relay that exits silently is noticed only when its session expires.
      let rebalanceNoticed = 0;
      await eventually(
        'the two others to be told of the rebalance',
        async () => {
          const seen = (await Promise.all(relays.slice(1).map(relayHealth))).map((r) => (r?.lastRebalanceAt ? Date.parse(r.lastRebalanceAt) : 0));
          if (!seen.every((at) => at >= stoppedAt)) return false;
          rebalanceNoticed = Math.max(...seen) - stoppedAt;
          return true;
        },
        30_000,
      );
      phase(`the two others were told of the rebalance ${rebalanceNoticed} ms after the SIGTERM`);
      await eventually('the two others to own every partition', () => stable(relays.slice(1)), 60_000);
      const handover = Date.now() - stoppedAt;
      // librdkafka 2.0's mock answers a follower's SyncGroup with INVALID_REQUEST when the leader's got there first
      // (a real coordinator hands the follower its assignment); the relay replaces the crashed consumer, which costs
      // the mock a second rebalance. Counted here so the bound below allows for it and the output says so.
      const syncRaces = (await consumerRestarts(relays.slice(1))) - restartsBefore;
      phase(`partitions handed over ${handover} ms after the SIGTERM (${syncRaces} consumer(s) replaced after a crash meanwhile)`);
      await eventually('the requests sent after the SIGTERM applied', drained, 60_000);
      const afterTerm = Date.now() - stoppedAt;
      phase(`drained ${afterTerm} ms after the SIGTERM`);

      // SIGKILL three times, each victim replaced by a new process, with requests arriving throughout.
      const victims = [relays[1], relays[2]];
      let lastRestart = 0;
      for (let round = 0; round < 3; round++) {
        await publish(100);
        const victim = victims.shift()!;
        victim.kill('SIGKILL');
        await exited(victim);
        victims.push(await startRelay());
        lastRestart = Date.now();
        phase(`SIGKILL ${round + 1} and restart`);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      }
      await publish(100);
      await eventually('zero lag after the last restart', drained, DRAIN_BOUND_MS + 30_000);
      const drain = Date.now() - lastRestart;
      // One mock rebalance, plus one more per consumer the relays had to replace meanwhile, and 3 s to notice and settle.
      const handoverBound = (1 + syncRaces) * REBALANCE_COST_MS + 3_000;

      process.stdout.write(
        `relay churn on the mock broker: ${produced} requests on ${PARTITIONS} partitions, session ${SESSION_TIMEOUT_MS} ms, ` +
          `heartbeat ${HEARTBEAT_MS} ms, rebalance ${REBALANCE_TIMEOUT_MS} ms; after a SIGTERM the others were told of the rebalance in ${rebalanceNoticed} ms, ` +
          `owned every partition after ${handover} ms (${syncRaces} mock SyncGroup race(s)) and drained after ${afterTerm} ms; ` +
          `${drain} ms after the last of 3 SIGKILL restarts (bounds: ${NOTICE_BOUND_MS} ms, ${handoverBound} ms and ${DRAIN_BOUND_MS} ms)\n`,
      );
      // Without a LeaveGroup the rebalance would begin only when the stopped relay's session expired.
      expect(rebalanceNoticed).toBeLessThan(NOTICE_BOUND_MS);
      expect(handover).toBeLessThan(handoverBound);
      expect(drain).toBeLessThan(DRAIN_BOUND_MS);
      expect(await applied()).toBe(produced);
      expect(await count(`SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE event_type = 'RequestLogged'`)).toBe(produced);
    }, 240_000);
  });
});
