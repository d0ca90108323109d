/**
 * Three all-in-one replicas (`npm start`'s built entry point) on one PostgreSQL schema and a
 * three-broker Kafka mock, with nothing saying "only here": the projections and the forwarder
 * each lead in one replica. The leader is SIGKILLed mid-load and another takes over within the
 * lease's TTL; a leader frozen with SIGSTOP past its lease, then resumed, publishes nothing and
 * moves no checkpoint after the takeover. Afterwards every acknowledged command's events are in the
 * log, every event reached the topic (per case in order), and the read models hold every case.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { caseStreamName } from '@refund-desk/domain';
import { collect, describeWithKafka, kafkaEnv, startTestKafka, TestKafka } from '../support/kafka/test-kafka';
import { describeWithPostgres, POSTGRES_TEST_URL } from '../support/postgres';
import { baseEnv, ENTRY_POINTS, escalatingRequest, eventually, freePort, http, mintToken, randomMasterKey, ServiceProcess, sleep } from '../support/processes';
import { setUpProcessSuite, start, stopAll } from './entry-point-checks';

setUpProcessSuite();

const TTL_MS = 3_000;

describeWithPostgres('replicas: failover of the singletons (three built processes)', () => {
  describeWithKafka('projections and forwarder leadership under SIGKILL and SIGSTOP', () => {
    let kafka: TestKafka;
    let db: Client;
    let dir: string;
    const schema = `repl_${randomBytes(5).toString('hex')}`;
    const replicas: ServiceProcess[] = [];
    let env: Record<string, string>;
    const agent = mintToken('agent_ann', ['agent']);
    const manager = mintToken('mgr_marco', ['manager']);

    const holder = async (name: string): Promise<{ holder: string; token: number } | null> => {
      const { rows } = await db.query(`SELECT holder, token FROM ${schema}.leases WHERE name = $1 AND expires_at > now()`, [name]);
      return rows[0] ? { holder: rows[0].holder, token: Number(rows[0].token) } : null;
    };
    const replicaOf = (lease: { holder: string } | null): ServiceProcess | undefined =>
      lease ? replicas.find((r) => r.exitStatus === null && lease.holder.includes(`-${r.pid}-`)) : undefined;
    const startReplica = async (): Promise<ServiceProcess> => {
      const replica = start(`replica-${replicas.length + 1}`, ENTRY_POINTS.all, { ...env, PORT: String(await freePort()) });
      replicas.push(replica);
      await replica.waitReady();
      return replica;
    };
    const alive = (): ServiceProcess[] => replicas.filter((r) => r.exitStatus === null);
    const headPosition = async (): Promise<number> => Number((await db.query(`SELECT coalesce(max(global_position), 0) AS p FROM ${schema}.events`)).rows[0].p);
    const forwarded = async (): Promise<number> =>
      Number((await db.query(`SELECT coalesce(max(position), 0) AS p FROM ${schema}.kafka_forwarder_checkpoints`)).rows[0]?.p ?? 0);
    const published = async (replica: ServiceProcess): Promise<number> => {
      const metrics = await http(replica.url, 'GET', '/metrics');
      return Number(/^refund_desk_kafka_forwarder_events_published_total (\d+)/m.exec(metrics.text)?.[1] ?? 0);
    };

    const queueIds = async (replica: ServiceProcess): Promise<Set<string>> => {
      const ids = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { body: { items?: { caseId: string }[]; nextCursor?: string | null } } = await http(
          replica.url,
          'GET',
          `/v1/queues/manager?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token: manager },
        );
        for (const item of page.body.items ?? []) ids.add(item.caseId);
        cursor = page.body.nextCursor ?? null;
      } while (cursor);
      return ids;
    };

    /**
     * Logs and evaluates cases round-robin across the replicas that are up; every acknowledged case
     * id is kept, and in `escalated` those whose evaluation (an escalation) was acknowledged too.
     */
    const load = (acknowledged: string[], escalated: string[] = []) => {
      let running = true;
      const worker = async (n: number): Promise<void> => {
        for (let i = n; running; i++) {
          const targets = alive();
          const replica = targets[i % targets.length];
          if (!replica) return;
          try {
            const logged = await http(replica.url, 'POST', '/v1/cases', { token: agent, body: escalatingRequest(), timeoutMs: 10_000 });
            if (logged.status === 201) {
              acknowledged.push(logged.body.caseId);
              const evaluated = await http(replica.url, 'POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent, timeoutMs: 10_000 });
              if (evaluated.status === 200 && evaluated.body.status === 'escalated') escalated.push(logged.body.caseId);
            }
          } catch {
            // The replica was killed under the request: not acknowledged, nothing to check.
          }
        }
      };
      const workers = [0, 1, 2].map(worker);
      return async () => {
        running = false;
        await Promise.all(workers);
      };
    };

    beforeAll(async () => {
      kafka = await startTestKafka({ brokers: 3 });
      db = new Client({ connectionString: POSTGRES_TEST_URL });
      await db.connect();
      dir = mkdtempSync(join(tmpdir(), 'refund-desk-repl-'));
      env = baseEnv({
        DATABASE_URL: POSTGRES_TEST_URL,
        DATABASE_SCHEMA: schema,
        DATA_DIR: dir,
        PII_MASTER_KEY: randomMasterKey(),
        ...kafkaEnv(kafka),
        KAFKA_RETRY_MAX_MS: '1000',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        LEADER_LEASE_TTL_MS: String(TTL_MS),
      });
      // One after the other: the first creates the schema, the others find it.
      for (let i = 0; i < 3; i++) await startReplica();
    }, 240_000);
    afterAll(async () => {
      for (const replica of replicas) if (replica.exitStatus === null) process.kill(replica.pid, 'SIGCONT');
      await stopAll();
      await kafka?.stop();
      await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db?.end();
      rmSync(dir, { recursive: true, force: true });
    });

    it('moves the forwarder and the projections to another replica within the lease TTL after a SIGKILL, and loses nothing', async () => {
      const acknowledged: string[] = [];
      const escalated: string[] = [];
      const stopLoad = load(acknowledged, escalated);
      await eventually('some load on every replica', () => escalated.length >= 15, 60_000);

      const forwarder = await holder('kafka-forwarder');
      const victim = replicaOf(forwarder);
      expect(victim).toBeDefined();
      const killedAt = Date.now();
      victim!.kill();
      await victim!.exited;
      const takeover = await eventually(
        'another replica to hold the forwarder lease',
        async () => {
          const now = await holder('kafka-forwarder');
          return now !== null && now.token > forwarder!.token;
        },
        30_000,
        25,
      );
      const forwarderFailoverMs = Date.now() - killedAt;
      await eventually(
        'the projections led by a live replica',
        async () => replicaOf(await holder('projections')) !== undefined,
        30_000,
        25,
      );
      const projectionsFailoverMs = Date.now() - killedAt;
      await sleep(1_000);
      await stopLoad();
      console.log(`failover after SIGKILL: forwarder ${forwarderFailoverMs} ms, projections ${projectionsFailoverMs} ms (lease TTL ${TTL_MS} ms; ${takeover} ms polling)`);
      expect(forwarderFailoverMs).toBeLessThan(5_000);
      expect(projectionsFailoverMs).toBeLessThan(5_000);

      // Every acknowledged case is in the log, the read models and on the topic.
      const head = await headPosition();
      await eventually('the forwarder to reach the head', async () => (await forwarded()) >= head, 60_000);
      const [survivor] = alive();
      await eventually(
        'the manager queue to hold every acknowledged escalation',
        async () => {
          const ids = await queueIds(survivor);
          return escalated.every((id) => ids.has(id));
        },
        60_000,
      );
      const stored = await db.query(`SELECT event_id::text AS id, stream_id AS stream, stream_version AS version FROM ${schema}.events`);
      const streams = new Set(stored.rows.map((row) => row.stream));
      expect(acknowledged.filter((id) => !streams.has(caseStreamName(id)))).toEqual([]);
      const out = await collect(kafka, ['refunds.case-events.v1']);
      try {
        await eventually('every stored event on the topic', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= stored.rows.length, 60_000);
        // At-least-once across a SIGKILL: a batch published but not yet checkpointed is published again.
        const byCase = new Map<string, number[]>();
        const seen = new Set<string>();
        for (const message of out.messages) {
          if (seen.has(message.headers['event-id'])) continue;
          seen.add(message.headers['event-id']);
          const value = JSON.parse(message.value!.toString());
          byCase.set(message.key!, [...(byCase.get(message.key!) ?? []), value.version]);
        }
        for (const versions of byCase.values()) expect(versions).toEqual([...versions].sort((a, b) => a - b));
        console.log(`${stored.rows.length} events, ${out.messages.length} messages (${out.messages.length - seen.size} repeats after the kill)`);
      } finally {
        await out.stop();
      }
    }, 300_000);

    it('refuses a frozen leader: after SIGSTOP past its lease and SIGCONT it publishes nothing and moves no checkpoint', async () => {
      if (alive().length < 3) await startReplica();
      const before = await holder('kafka-forwarder');
      const frozen = replicaOf(before)!;
      expect(frozen).toBeDefined();
      // Quiet, and caught up: what it has published is final before it freezes.
      const head = await headPosition();
      await eventually('the forwarder to reach the head', async () => (await forwarded()) >= head, 60_000);
      const publishedBefore = await published(frozen);
      process.kill(frozen.pid, 'SIGSTOP');
      const acknowledged: string[] = [];
      const stopLoad = load(acknowledged);
      await eventually(
        'another replica to take the forwarder over from the frozen one',
        async () => {
          const now = await holder('kafka-forwarder');
          return now !== null && now.token > before!.token;
        },
        30_000,
        25,
      );
      const afterTakeover = await forwarded();
      process.kill(frozen.pid, 'SIGCONT');
      await sleep(3 * TTL_MS);
      await stopLoad();
      // Woken up, it found its lease gone before it could send; its fenced checkpoint write was refused.
      expect(await published(frozen)).toBe(publishedBefore);
      expect(frozen.logs()).toMatch(/standing down|lost the lease/);
      expect(await forwarded()).toBeGreaterThanOrEqual(afterTakeover);
      const lease = await holder('kafka-forwarder');
      expect(lease!.holder.includes(`-${frozen.pid}-`)).toBe(false);
    }, 300_000);
  });
});
