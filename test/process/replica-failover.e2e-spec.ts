/**
 * Three all-in-one replicas (`npm start`'s built entry point) on one PostgreSQL schema and a
 * three-broker Kafka mock, with nothing saying "only here": the projections and the forwarder
 * each lead in one replica, and every replica's relay consumes its share of the request topic.
 *
 * Under HTTP load and a stream of Kafka requests (some of them sent twice), the forwarder's leader
 * is SIGKILLed and another takes over within the lease's TTL; then all three replicas are
 * restarted one at a time (a replacement first, then SIGTERM: the leader hands over). Afterwards
 * every acknowledged command's events are in the log, every event reached the topic (per case in
 * order), and each Kafka request opened exactly one case. A broker of the three stopped and
 * restarted while the forwarder publishes loses nothing either. A leader frozen with SIGSTOP past
 * its lease, then resumed, publishes nothing and moves no checkpoint after the takeover. Last, the
 * read models equal, row for row, what a clean rebuild of the whole log makes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { deterministicId } from '@refund-desk/case-handling';
import { caseStreamName } from '@refund-desk/domain';
import { READ_MODELS } from '@refund-desk/read-models';
import { requestMessage } from '../support/kafka/messages';
import { collect, describeWithKafka, kafkaEnv, partitionLeaders, startTestKafka, TestKafka, testProducer } from '../support/kafka/test-kafka';
import { recordDiagnosis } from '../support/ci-diagnosis';
import { describeWithPostgres, POSTGRES_TEST_URL } from '../support/postgres';
import { baseEnv, ENTRY_POINTS, escalatingRequest, eventually, freePort, http, mintToken, randomMasterKey, runCli, ServiceProcess, sleep } from '../support/processes';
import { expectCleanExit, setUpProcessSuite, start, stopAll } from './entry-point-checks';

setUpProcessSuite();

const TTL_MS = 3_000;
const REQUESTS_TOPIC = 'refunds.requests.v1';
const CASE_EVENTS_TOPIC = 'refunds.case-events.v1';
const DEAD_LETTERS_TOPIC = 'refunds.dlq.v1';
const RELAY_GROUP = 'refund-desk';
/**
 * The relays' group coordinator, a broker the outage test never stops. librdkafka 2.0's mock aborts
 * (rd_kafka_mock_cgrp_member_add: Assertion `!member->resp') when a member whose JoinGroup it still
 * holds joins again on a new connection, which is what the relays do when the coordinator goes down
 * during a rebalance: every broker of the cluster died with it, and the rest of the suite failed
 * waiting on a forwarder with nowhere to publish (seen in CI, and here once with its stack).
 */
const COORDINATOR = 1;

describeWithPostgres('replicas: failover of the singletons (three built processes)', () => {
  describeWithKafka('projections and forwarder leadership under SIGKILL, rolling restart, a broker outage and SIGSTOP', () => {
    let kafka: TestKafka;
    /** A pool: the handover of several leases is watched in parallel. */
    let db: Pool;
    let dir: string;
    const schema = `repl_${randomBytes(5).toString('hex')}`;
    const replicas: ServiceProcess[] = [];
    /** Replicas that answered /health once: the load goes to these (a starting one refuses connections). */
    const ready = new Set<ServiceProcess>();
    let env: Record<string, string>;
    const agent = mintToken('agent_ann', ['agent']);
    const manager = mintToken('mgr_marco', ['manager']);

    const holder = async (name: string): Promise<{ holder: string; token: number } | null> => {
      const { rows } = await db.query(`SELECT holder, token FROM ${schema}.leases WHERE name = $1 AND expires_at > now()`, [name]);
      return rows[0] ? { holder: rows[0].holder, token: Number(rows[0].token) } : null;
    };
    const heldBy = (lease: { holder: string } | null, replica: ServiceProcess): boolean => lease !== null && lease.holder.includes(`-${replica.pid}-`);
    const replicaOf = (lease: { holder: string } | null): ServiceProcess | undefined =>
      lease ? replicas.find((r) => r.exitStatus === null && heldBy(lease, r)) : undefined;
    const startReplica = async (): Promise<ServiceProcess> => {
      const replica = start(`replica-${replicas.length + 1}`, ENTRY_POINTS.all, { ...env, PORT: String(await freePort()) });
      replicas.push(replica);
      await replica.waitReady(120_000);
      ready.add(replica);
      return replica;
    };
    const alive = (): ServiceProcess[] => replicas.filter((r) => r.exitStatus === null);
    const serving = (): ServiceProcess[] => alive().filter((r) => ready.has(r));
    const headPosition = async (): Promise<number> => Number((await db.query(`SELECT coalesce(max(global_position), 0) AS p FROM ${schema}.events`)).rows[0].p);
    const forwarded = async (): Promise<number> =>
      Number((await db.query(`SELECT coalesce(max(position), 0) AS p FROM ${schema}.kafka_forwarder_checkpoints`)).rows[0]?.p ?? 0);
    /**
     * SQL: event `e` lies after checkpoint `c` ('<transaction id>:<position>') in the order the log is
     * read. A checkpoint's own position is no measure of that: positions do not follow commit order.
     */
    const AFTER_CHECKPOINT = `(e.transaction_id, e.global_position) > (split_part(c.checkpoint, ':', 1)::xid8, split_part(c.checkpoint, ':', 2)::bigint)`;
    /** The forwarder's checkpoint as (transaction id, position): the order it reads the log in. */
    const forwarderCheckpoint = async (): Promise<readonly [bigint, bigint] | null> => {
      const stored: string | undefined = (await db.query(`SELECT checkpoint FROM ${schema}.kafka_forwarder_checkpoints WHERE name = 'case-events'`)).rows[0]?.checkpoint;
      if (!stored) return null;
      const [tx, position] = stored.split(':');
      return [BigInt(tx), BigInt(position)];
    };
    /**
     * Whether every event up to `position` has been forwarded. The checkpoint's own position is no
     * measure of that: positions do not follow commit order (appends committed together, or two
     * batches drawing from the sequence at once), and the forwarder reads in (transaction,
     * position) order, so its last event can sit below the highest position when it is done.
     */
    const forwardedThrough = async (position: number): Promise<boolean> => {
      if ((await forwarderCheckpoint()) === null) return false;
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM ${schema}.events e JOIN ${schema}.kafka_forwarder_checkpoints c ON c.name = 'case-events'
          WHERE e.global_position <= $1
            AND ${AFTER_CHECKPOINT}`,
        [position],
      );
      return rows[0].n === 0;
    };
    /**
     * What a failed wait needs to be read from CI's log alone: the log head against the forwarder's
     * and the projections' checkpoints, the leases, every transaction on the server that holds an id
     * or waits for a lock (the read horizon is server-wide), each replica's /health and its last lines.
     * One line per fact, so that it fits the end of CI's output (see recordDiagnosis).
     */
    const diagnosis = async (): Promise<string[]> => {
      const part = async (title: string, read: () => Promise<unknown>): Promise<string> => {
        try {
          return `${title}: ${JSON.stringify(await read())}`;
        } catch (error) {
          return `${title}: (could not read: ${(error as Error).message})`;
        }
      };
      const rows = async (sql: string): Promise<unknown[]> => (await db.query(sql)).rows;
      const lines = await Promise.all([
        part('head', headPosition),
        part('forwarder checkpoint', async () => (await forwarderCheckpoint())?.map(String) ?? null),
        part('events after the forwarder checkpoint', () =>
          rows(`SELECT count(*)::int AS n, min(global_position) AS first, max(global_position) AS last, min(transaction_id::text) AS first_tx,
                       min(recorded_at) AS oldest, pg_snapshot_xmin(pg_current_snapshot())::text AS horizon
                  FROM ${schema}.events e JOIN ${schema}.kafka_forwarder_checkpoints c ON c.name = 'case-events'
                 WHERE ${AFTER_CHECKPOINT}`),
        ),
        part('projection checkpoints', () => rows(`SELECT name, generation, status, position FROM ${schema}.projection_checkpoints ORDER BY name, generation`)),
        part('leases', () => rows(`SELECT name, holder, token, round(extract(epoch FROM expires_at - now())::numeric, 1) AS expires_in_s FROM ${schema}.leases ORDER BY name`)),
        part('transactions with an id or waiting for a lock', () =>
          rows(`SELECT pid, datname, application_name, state, backend_xid::text AS xid, round(extract(epoch FROM now() - xact_start)::numeric, 1) AS xact_s,
                       wait_event_type, wait_event, left(query, 100) AS query
                  FROM pg_stat_activity WHERE backend_xid IS NOT NULL OR wait_event_type = 'Lock' ORDER BY xact_start`),
        ),
      ]);
      for (const replica of alive()) {
        const health = await http(replica.url, 'GET', '/health', { timeoutMs: 3_000 }).then(
          (answer) => answer.text,
          (error: Error) => `(no answer: ${error.message})`,
        );
        lines.push(`${replica.name} (pid ${replica.pid}) /health: ${health}`, ...replica.logs().trimEnd().split('\n').slice(-6).map((line) => `${replica.name}| ${line}`));
      }
      return lines;
    };
    /** `eventually`, and when it times out, the diagnosis in the error and in CI's diagnosis file. */
    const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number, everyMs?: number): Promise<number> => {
      try {
        return await eventually(what, check, timeoutMs, everyMs);
      } catch (error) {
        const found = await diagnosis();
        recordDiagnosis('replica-failover', (error as Error).message, found);
        throw new Error(`${(error as Error).message}\n${found.join('\n')}`, { cause: error });
      }
    };
    const metric = async (replica: ServiceProcess, pattern: RegExp): Promise<number> => {
      const metrics = await http(replica.url, 'GET', '/metrics', { timeoutMs: 5_000 });
      return [...metrics.text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const published = (replica: ServiceProcess): Promise<number> => metric(replica, /^refund_desk_kafka_forwarder_events_published_total (\d+)/gm);

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
          const targets = serving();
          const replica = targets[i % targets.length];
          if (!replica) return;
          try {
            const logged = await http(replica.url, 'POST', '/v1/cases', { token: agent, body: escalatingRequest(), timeoutMs: 10_000 });
            if (logged.status === 201) {
              acknowledged.push(logged.body.caseId);
              const evaluated = await http(replica.url, 'POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent, timeoutMs: 10_000 });
              if (evaluated.status === 200 && evaluated.body.status === 'escalated') escalated.push(logged.body.caseId);
            } else if (logged.status >= 500 || logged.status === 0) {
              // Shutting down (503) or killed: not acknowledged; a pause spares a busy loop.
              await sleep(50);
            }
          } catch {
            // The replica was killed under the request: not acknowledged, nothing to check.
            await sleep(50);
          }
        }
      };
      const workers = [0, 1, 2].map(worker);
      return async () => {
        running = false;
        await Promise.all(workers);
      };
    };

    /**
     * Publishes refund requests to the request topic in small batches, keyed by order id so they
     * spread over the partitions (and so over the replicas' relays): `add(n)` lets n more go, so each
     * phase of a test (the kill, each restart) has its own requests in flight. One message in five
     * is a repeat of an earlier one (same messageId, same value), as a producer's retry would send
     * it: every other repeat under its own key (same partition), the others under another key, so
     * the repeat may reach another replica's relay while the first copy is still in flight.
     */
    const publishRequests = (producer: Producer, paceMs: number) => {
      let total = 0;
      let finishing = false;
      const sent: { id: string; key: string; value: string }[] = [];
      /** Sent and acknowledged by the broker: each must open exactly one case. */
      const acknowledged = new Set<string>();
      /** Sent without an acknowledgement: at most one case. */
      const uncertain = new Set<string>();
      const applied = new Map<string, number>();
      let repeats = 0;
      let hurry = false;
      let sampling = true;
      const sample = async (): Promise<void> => {
        for (const replica of serving()) {
          const count = await metric(replica, /^refund_desk_kafka_relay_messages_applied_total\{[^}]*topic="refunds\.requests\.v1"[^}]*\} (\d+)/gm).catch(() => null);
          if (count !== null) applied.set(replica.name, Math.max(count, applied.get(replica.name) ?? 0));
        }
      };
      const sampler = (async () => {
        while (sampling) {
          await sample();
          await sleep(500);
        }
      })();
      const done = (async () => {
        for (;;) {
          if (sent.length >= total) {
            if (finishing) return;
            await sleep(50);
            continue;
          }
          const batch: { id: string; key: string; value: string }[] = [];
          for (let k = 0; k < 4 && sent.length + batch.length < total; k++) {
            const message = requestMessage(new Date());
            const key = `ord_${randomBytes(5).toString('hex')}`;
            message.order = { ...(message.order as object), id: key };
            batch.push({ id: message.messageId, key, value: JSON.stringify(message) });
          }
          const messages = batch.map(({ key, value }) => ({ key, value }));
          if (sent.length >= 8) {
            const earlier = sent[Math.floor(Math.random() * sent.length)];
            messages.push({ key: repeats % 2 === 0 ? earlier.key : `${earlier.key}-again`, value: earlier.value });
            repeats += 1;
          }
          sent.push(...batch);
          try {
            await producer.send({ topic: REQUESTS_TOPIC, acks: -1, messages });
            for (const { id } of batch) acknowledged.add(id);
          } catch {
            for (const { id } of batch) uncertain.add(id);
          }
          if (!hurry) await sleep(paceMs);
        }
      })();
      return {
        acknowledged,
        uncertain,
        applied,
        repeats: () => repeats,
        add: (count: number): void => {
          total += count;
        },
        /** Sends the rest at once and stops sampling the replicas' relays. */
        finish: async (): Promise<void> => {
          hurry = true;
          finishing = true;
          await done;
          // Every serving replica's count read once more: the last messages are applied by now or soon.
          sampling = false;
          await sampler;
        },
        sample,
      };
    };

    /**
     * Every stored event reached the case-event topic at least once, and each case's events, taken
     * at their first appearance, arrive in version order. Returns the message and repeat counts.
     */
    const expectEveryEventForwarded = async (): Promise<{ events: number; messages: number; repeats: number }> => {
      const head = await headPosition();
      await until('the forwarder to reach the head', () => forwardedThrough(head), 120_000);
      const stored = await db.query(`SELECT event_id::text AS id FROM ${schema}.events`);
      const out = await collect(kafka, [CASE_EVENTS_TOPIC]);
      try {
        await until('every stored event on the topic', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= stored.rows.length, 120_000);
        // At-least-once: a batch published but not yet checkpointed (a kill, a failed send) is published again.
        const byCase = new Map<string, number[]>();
        const seen = new Set<string>();
        for (const message of out.messages) {
          if (seen.has(message.headers['event-id'])) continue;
          seen.add(message.headers['event-id']);
          const value = JSON.parse(message.value!.toString());
          byCase.set(message.key!, [...(byCase.get(message.key!) ?? []), value.version]);
        }
        expect(stored.rows.filter((row) => !seen.has(row.id))).toEqual([]);
        const outOfOrder = [...byCase].filter(([, versions]) => versions.some((v, i) => i > 0 && v <= versions[i - 1]));
        expect(outOfOrder).toEqual([]);
        return { events: stored.rows.length, messages: out.messages.length, repeats: out.messages.length - seen.size };
      } finally {
        await out.stop();
      }
    };

    /**
     * Every row of every table of each read model's live generation (found through the generations'
     * checkpoint rows), as JSON text in a fixed order. No column is left out: projections derive
     * every value from the events (no now()), so nothing in them is per run.
     */
    const readModelSnapshot = async (): Promise<{ generations: Record<string, number>; tables: Record<string, string[]> }> => {
      const { rows } = await db.query(`SELECT name, generation FROM ${schema}.projection_checkpoints WHERE status = 'live'`);
      const generations = Object.fromEntries(rows.map((row) => [row.name, Number(row.generation)]));
      const tables: Record<string, string[]> = {};
      for (const readModel of READ_MODELS) {
        const generation = generations[readModel.name];
        expect({ readModel: readModel.name, generation }).toEqual({ readModel: readModel.name, generation: expect.any(Number) });
        for (const table of readModel.tables) {
          const physical = `${schema}.${table.name}_g${generation}`;
          const result = await db.query(`SELECT r FROM (SELECT row_to_json(t)::text AS r FROM ${physical} t) rows ORDER BY r COLLATE "C"`);
          tables[table.name] = result.rows.map((row) => row.r);
        }
      }
      return { generations, tables };
    };

    beforeAll(async () => {
      kafka = await startTestKafka({ brokers: 3 });
      await kafka.setGroupCoordinator(RELAY_GROUP, COORDINATOR);
      db = new Pool({ connectionString: POSTGRES_TEST_URL, max: 4 });
      dir = mkdtempSync(join(tmpdir(), 'refund-desk-repl-'));
      env = baseEnv({
        DATABASE_URL: POSTGRES_TEST_URL,
        DATABASE_SCHEMA: schema,
        DATA_DIR: dir,
        PII_MASTER_KEY: randomMasterKey(),
        ...kafkaEnv(kafka),
        KAFKA_GROUP_ID: RELAY_GROUP,
        KAFKA_RETRY_MAX_MS: '1000',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        LEADER_LEASE_TTL_MS: String(TTL_MS),
      });
      // One after the other: the first creates the schema, the others find it.
      for (let i = 0; i < 3; i++) await startReplica();
    }, 300_000);
    afterAll(async () => {
      for (const replica of replicas) if (replica.exitStatus === null) process.kill(replica.pid, 'SIGCONT');
      await stopAll();
      await kafka?.stop();
      if (db) {
        // Every replica is gone; a lock still held on the schema (a backend that did not notice its
        // client die) is named in the log instead of hanging the hook.
        const client = await db.connect();
        try {
          await client.query(`SET lock_timeout = '20s'`);
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } catch (error) {
          const { rows } = await client.query(
            `SELECT pid, application_name, state, backend_xid::text AS xid, wait_event_type, wait_event, left(query, 160) AS query
               FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
          );
          console.error(`could not drop ${schema}: ${(error as Error).message}; busy backends: ${JSON.stringify(rows)}`);
        } finally {
          client.release();
        }
        await db.end();
      }
      rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    it('survives a SIGKILL of the leader and a rolling restart under HTTP and Kafka load: nothing acknowledged is lost, each request opens one case', async () => {
      const acknowledged: string[] = [];
      const escalated: string[] = [];
      const producer = await testProducer(kafka);
      const requests = publishRequests(producer, 250);
      requests.add(60);
      const stopLoad = load(acknowledged, escalated);
      try {
        await until('some load on every replica', () => escalated.length >= 15, 60_000);

        // SIGKILL of the forwarder's leader: another replica takes over once the lease runs out.
        const forwarder = await holder('kafka-forwarder');
        const victim = replicaOf(forwarder);
        expect(victim).toBeDefined();
        requests.add(60);
        const killedAt = Date.now();
        victim!.kill();
        await victim!.exited;
        const takeover = await until(
          'another replica to hold the forwarder lease',
          async () => {
            const now = await holder('kafka-forwarder');
            return now !== null && now.token > forwarder!.token;
          },
          30_000,
          25,
        );
        const forwarderFailoverMs = Date.now() - killedAt;
        await until('the projections led by a live replica', async () => replicaOf(await holder('projections')) !== undefined, 30_000, 25);
        const projectionsFailoverMs = Date.now() - killedAt;
        console.log(`failover after SIGKILL: forwarder ${forwarderFailoverMs} ms, projections ${projectionsFailoverMs} ms (lease TTL ${TTL_MS} ms; ${takeover} ms polling)`);
        expect(forwarderFailoverMs).toBeLessThan(5_000);
        expect(projectionsFailoverMs).toBeLessThan(5_000);

        // A replacement for the killed one, then a rolling restart of all three under the same load:
        // each replaced by a new one that is ready first, then stopped by SIGTERM (leases released).
        await startReplica();
        const restarted: ServiceProcess[] = [];
        for (const old of alive()) {
          requests.add(20);
          const replacement = await startReplica();
          restarted.push(replacement);
          const leases = (await db.query(`SELECT name, holder, token FROM ${schema}.leases WHERE expires_at > now()`)).rows.filter((lease) => heldBy(lease, old));
          ready.delete(old);
          requests.add(20);
          const stoppedAt = Date.now();
          const exit = old.stop(30_000);
          // Each lease watched on its own, so each figure is its own handover time.
          const handovers = await Promise.all(
            leases.map(async (lease) => {
              await until(
                `${lease.name} handed over by ${old.name}`,
                async () => {
                  const now = await holder(lease.name);
                  return now !== null && now.token > Number(lease.token) && !heldBy(now, old);
                },
                30_000,
                25,
              );
              return `${lease.name} ${Date.now() - stoppedAt} ms`;
            }),
          );
          expectCleanExit(await exit);
          console.log(
            `rolling restart: ${old.name} replaced by ${replacement.name}, stopped in ${Date.now() - stoppedAt} ms; handover ${handovers.join(', ') || 'none (it led nothing)'}`,
          );
        }
        expect(alive()).toEqual(restarted);
        await sleep(1_000);
      } finally {
        await stopLoad();
        await requests.finish();
        await producer.disconnect();
      }

      // Every acknowledged case is in the log, the read models and on the topic.
      const [survivor] = serving();
      const stored = await db.query(`SELECT DISTINCT stream_id AS stream FROM ${schema}.events`);
      const streams = new Set(stored.rows.map((row) => row.stream));
      expect(acknowledged.filter((id) => !streams.has(caseStreamName(id)))).toEqual([]);

      // Each Kafka request opened exactly one case, whichever replica's relay took it and however
      // often it was sent; the case id derives from the messageId.
      const caseOf = (id: string): string => caseStreamName(deterministicId('case', `kafka:${REQUESTS_TOPIC}`, id));
      const relayed = async () =>
        (
          await db.query(
            `SELECT stream_id AS stream, count(*)::int AS n FROM ${schema}.events
              WHERE event_type = 'RequestLogged' AND metadata->>'actor' = 'kafka:storefront' GROUP BY stream_id`,
          )
        ).rows as { stream: string; n: number }[];
      const drainStarted = Date.now();
      await until(
        'every acknowledged Kafka request logged',
        async () => {
          const logged = new Set((await relayed()).map((row) => row.stream));
          return [...requests.acknowledged].every((id) => logged.has(caseOf(id)));
        },
        120_000,
        250,
      );
      const requestsDrainMs = Date.now() - drainStarted;
      await requests.sample();
      const relayedCases = await relayed();
      const expected = new Set([...requests.acknowledged, ...requests.uncertain].map(caseOf));
      expect(relayedCases.filter((row) => row.n !== 1 || !expected.has(row.stream))).toEqual([]);
      expect(relayedCases.length).toBeGreaterThanOrEqual(requests.acknowledged.size);
      expect(relayedCases.length).toBeLessThanOrEqual(requests.acknowledged.size + requests.uncertain.size);
      const dead = await collect(kafka, [DEAD_LETTERS_TOPIC]);
      await sleep(3_000);
      await dead.stop();
      expect(dead.messages.map((m) => m.headers['x-error-type'])).toEqual([]);
      const consumers = [...requests.applied].filter(([, n]) => n > 0);
      console.log(
        `Kafka requests: ${requests.acknowledged.size} acknowledged (${requests.uncertain.size} unacknowledged), ${requests.repeats()} sent twice, ` +
          `${relayedCases.length} cases; all logged ${requestsDrainMs} ms after the load; applied per replica ${JSON.stringify(Object.fromEntries(requests.applied))}`,
      );
      // Three partitions, three replicas at any time: more than one relay took requests.
      expect(consumers.length).toBeGreaterThanOrEqual(3);

      const figures = await expectEveryEventForwarded();
      console.log(
        `${acknowledged.length} HTTP cases acknowledged; ${figures.events} events, ${figures.messages} messages (${figures.repeats} repeats after the kill and the restarts)`,
      );
      await until(
        'the manager queue to hold every acknowledged escalation',
        async () => {
          const ids = await queueIds(survivor);
          return escalated.every((id) => ids.has(id));
        },
        60_000,
      );
    }, 600_000);

    it('loses nothing and keeps each case in order when a broker leading some partitions stops and restarts during forwarding', async () => {
      const leaders = await partitionLeaders(kafka, CASE_EVENTS_TOPIC);
      const counts = new Map<number, number>();
      for (const leader of leaders.values()) if (leader !== COORDINATOR) counts.set(leader, (counts.get(leader) ?? 0) + 1);
      // The broker leading the most partitions, the coordinator aside (see COORDINATOR).
      const busiest = [...counts].sort((a, b) => b[1] - a[1])[0];
      if (!busiest) throw new Error(`every partition of ${CASE_EVENTS_TOPIC} is led by the coordinator, broker ${COORDINATOR}: no other broker to stop`);
      const [broker] = busiest;
      const led = [...leaders].filter(([, leader]) => leader === broker).map(([partition]) => partition);
      await until('the forwarder to reach the head', async () => forwardedThrough(await headPosition()), 60_000);

      const acknowledged: string[] = [];
      const stopLoad = load(acknowledged);
      const outage = { downMs: 0, forwardedWhileDown: 0, catchUpMs: 0 };
      try {
        await until('some load', () => acknowledged.length >= 10, 60_000);
        await kafka.down(broker);
        const downAt = Date.now();
        const atDown = await forwarded();
        await sleep(8_000);
        outage.forwardedWhileDown = (await forwarded()) - atDown;
        const upHead = await headPosition();
        await kafka.up(broker);
        outage.downMs = Date.now() - downAt;
        // Still under load: how long the forwarder takes to publish what piled up while it was down.
        outage.catchUpMs = await until('the forwarder to publish the backlog once the broker is back', () => forwardedThrough(upHead), 120_000);
        await sleep(1_000);
      } finally {
        await stopLoad();
      }
      const endHead = await headPosition();
      const drainMs = await until('the forwarder to reach the head after the load', () => forwardedThrough(endHead), 120_000);
      const stored = await db.query(`SELECT DISTINCT stream_id AS stream FROM ${schema}.events`);
      const streams = new Set(stored.rows.map((row) => row.stream));
      expect(acknowledged.filter((id) => !streams.has(caseStreamName(id)))).toEqual([]);
      const figures = await expectEveryEventForwarded();
      console.log(
        `broker ${broker} (leader of ${CASE_EVENTS_TOPIC} partitions ${led.join(',')}) down for ${outage.downMs} ms under load: ` +
          `${outage.forwardedWhileDown} positions forwarded meanwhile, backlog published ${outage.catchUpMs} ms after it came back, drained ${drainMs} ms after the load; ` +
          `${acknowledged.length} cases acknowledged; ${figures.events} events, ${figures.messages} messages (${figures.repeats} repeats)`,
      );
    }, 300_000);

    it('refuses a frozen leader: after SIGSTOP past its lease and SIGCONT it publishes nothing and moves no checkpoint', async () => {
      while (serving().length < 3) await startReplica();
      const before = await holder('kafka-forwarder');
      const frozen = replicaOf(before)!;
      expect(frozen).toBeDefined();
      // Quiet, and caught up: what it has published is final before it freezes.
      const head = await headPosition();
      await until('the forwarder to reach the head', () => forwardedThrough(head), 60_000);
      const publishedBefore = await published(frozen);
      process.kill(frozen.pid, 'SIGSTOP');
      const acknowledged: string[] = [];
      const stopLoad = load(acknowledged);
      await until(
        'another replica to take the forwarder over from the frozen one',
        async () => {
          const now = await holder('kafka-forwarder');
          return now !== null && now.token > before!.token;
        },
        30_000,
        25,
      );
      const afterTakeover = (await forwarderCheckpoint())!;
      process.kill(frozen.pid, 'SIGCONT');
      await sleep(3 * TTL_MS);
      await stopLoad();
      // Woken up, it found its lease gone before it could send; its fenced checkpoint write was refused.
      expect(await published(frozen)).toBe(publishedBefore);
      expect(frozen.logs()).toMatch(/standing down|lost the lease/);
      // The checkpoint never moved back, in the order the log is read.
      const [tx, position] = (await forwarderCheckpoint())!;
      expect(tx > afterTakeover[0] || (tx === afterTakeover[0] && position >= afterTakeover[1])).toBe(true);
      const lease = await holder('kafka-forwarder');
      expect(lease!.holder.includes(`-${frozen.pid}-`)).toBe(false);
    }, 300_000);

    it('holds in every read model, row for row, what a clean rebuild of the whole log makes', async () => {
      // Quiet, and every live generation at the head of the log the earlier tests wrote.
      const head = await headPosition();
      const caughtUp = await until(
        'every read model at the head',
        async () => {
          // As for the forwarder: a checkpoint's own position is no measure (positions do not follow
          // commit order); every event up to the head must lie at or before each live checkpoint.
          const { rows } = await db.query(
            `SELECT c.name, c.checkpoint,
                    (SELECT count(*)::int FROM ${schema}.events e
                      WHERE e.global_position <= $1
                        AND ${AFTER_CHECKPOINT}) AS behind
               FROM ${schema}.projection_checkpoints c WHERE c.status = 'live'`,
            [head],
          );
          return rows.length === READ_MODELS.length && rows.every((row) => row.checkpoint !== null && row.behind === 0);
        },
        120_000,
        250,
      );
      const live = await readModelSnapshot();
      const rebuildStarted = Date.now();
      const rebuilt = await runCli(['rebuild', 'all'], env, 300_000);
      expect({ code: rebuilt.code, stderr: rebuilt.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      const rebuildMs = Date.now() - rebuildStarted;
      const clean = await readModelSnapshot();
      // Nothing was written meanwhile, so both describe the same log.
      expect(await headPosition()).toBe(head);
      // Each read model's rows now come from tables the rebuild filled, not the ones compared with.
      for (const readModel of READ_MODELS) expect(clean.generations[readModel.name]).toBeGreaterThan(live.generations[readModel.name]);

      const sizes = Object.fromEntries(Object.entries(live.tables).map(([table, rows]) => [table, rows.length]));
      // A comparison of empty tables proves nothing: the tables the load fills must have rows.
      const filled = ['rm_manager_queue', 'rm_customer_history', 'rm_customer_timeline', 'rm_case_facts'];
      expect(filled.filter((table) => !(sizes[table] > 0))).toEqual([]);
      // The first differing row of each table (rather than a diff of thousands of rows).
      const differences = Object.keys(live.tables).flatMap((table) => {
        const a = live.tables[table];
        const b = clean.tables[table] ?? [];
        const at = a.findIndex((row, i) => row !== b[i]);
        if (a.length === b.length && at === -1) return [];
        return [{ table, live: a.length, rebuilt: b.length, firstLive: a[at === -1 ? b.length : at] ?? null, firstRebuilt: b[at === -1 ? a.length : at] ?? null }];
      });
      expect(differences).toEqual([]);
      console.log(
        `read models at head ${head} (${caughtUp} ms to catch up), rebuilt in ${rebuildMs} ms and equal row for row: ${JSON.stringify(sizes)}; ` +
          `generations ${JSON.stringify(live.generations)} -> ${JSON.stringify(clean.generations)}`,
      );
    }, 420_000);
  });
});
