import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '@refund-desk/platform';
import { probeKafka } from '../../test/support/kafka/mock-cluster-build';
import { kafkaEnv, startTestKafka, TestKafka } from '../../test/support/kafka/test-kafka';
import { baseEnv, ensureBuilt, ENTRY_POINTS, escalatingRequest, freePort, http, mintToken, randomMasterKey, ServiceProcess, sleep } from '../../test/support/processes';
import { say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';

export interface FailoverCell {
  readonly scenario: 'failover';
  /** The lease that moved, and how its leader left: killed (SIGKILL) or stopped (SIGTERM, handing over). */
  readonly lease: string;
  readonly ttlMs: number;
  readonly kills: number;
  readonly takeoverMs: { readonly min: number; readonly median: number; readonly max: number };
}

/** The replicas run with the default lease TTL (LEADER_LEASE_TTL_MS unset). */
const DEFAULT_TTL_MS = new AppConfig().LEADER_LEASE_TTL_MS;

/**
 * Three built all-in-one replicas (`npm start`) on the bench's PostgreSQL and, when it can be
 * built, librdkafka's mock cluster, with default lease settings and a light steady load. The
 * replica leading a lease is ended `rounds` times, alternately SIGKILLed and SIGTERMed (a
 * replacement starts each time); the figure is the time from the signal until another replica
 * holds the lease, polled every 10 ms.
 */
export async function runFailoverScenario(options: { scratch: ScratchDatabase; rounds: number }): Promise<FailoverCell[]> {
  say('failover: building the entry points (npm run build) if the sources changed');
  await ensureBuilt();
  probeKafka();
  const withKafka = process.env.REFUND_DESK_TEST_KAFKA === 'ok';
  if (!withKafka) say(`failover: no Kafka mock (${process.env.REFUND_DESK_TEST_KAFKA}); measuring the projections lease only`);
  const kafka: TestKafka | null = withKafka ? await startTestKafka({ brokers: 3 }) : null;
  const schema = `failover_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'refund-desk-failover-'));
  const db = new Client({ connectionString: options.scratch.url });
  await db.connect();
  const env = baseEnv({
    DATABASE_URL: options.scratch.url,
    DATABASE_SCHEMA: schema,
    DATA_DIR: dir,
    PII_MASTER_KEY: randomMasterKey(),
    ...(kafka ? kafkaEnv(kafka) : {}),
  });
  const replicas: ServiceProcess[] = [];
  const startReplica = async (): Promise<void> => {
    const replica = ServiceProcess.start(`replica-${replicas.length + 1}`, ENTRY_POINTS.all, { ...env, PORT: String(await freePort()) });
    replicas.push(replica);
    await replica.waitReady();
  };
  const alive = () => replicas.filter((r) => r.exitStatus === null);
  const holder = async (name: string): Promise<{ holder: string; token: number } | null> => {
    const { rows } = await db.query(`SELECT holder, token FROM ${schema}.leases WHERE name = $1 AND expires_at > now()`, [name]);
    return rows[0] ? { holder: rows[0].holder, token: Number(rows[0].token) } : null;
  };
  const agent = mintToken('agent_bench', ['agent']);
  let loading = true;
  const load = (async () => {
    for (let i = 0; loading; i++) {
      const targets = alive();
      const target = targets[i % Math.max(1, targets.length)];
      if (target) await http(target.url, 'POST', '/v1/cases', { token: agent, body: escalatingRequest(), timeoutMs: 5_000 }).catch(() => undefined);
      await sleep(50);
    }
  })();
  const leases = kafka ? ['projections', 'kafka-forwarder'] : ['projections'];
  const samples = new Map<string, number[]>();
  try {
    say('failover: starting three replicas');
    for (let i = 0; i < 3; i++) await startReplica();
    for (let round = 0; round < options.rounds; round++) {
      const lease = leases[round % leases.length];
      const how = round % 4 < 2 ? 'SIGKILL' : 'SIGTERM';
      let before = await holder(lease);
      for (let waited = 0; !before && waited < 30_000; waited += 100) {
        await sleep(100);
        before = await holder(lease);
      }
      const leader = before && alive().find((r) => before!.holder.includes(`-${r.pid}-`));
      if (!before || !leader) throw new Error(`no live replica holds ${lease}`);
      const signalled = process.hrtime.bigint();
      if (how === 'SIGKILL') leader.kill();
      else void leader.stop();
      let takeoverMs: number | null = null;
      while (takeoverMs === null) {
        const now = await holder(lease);
        if (now && now.token > before.token) takeoverMs = Number(process.hrtime.bigint() - signalled) / 1e6;
        else if (Number(process.hrtime.bigint() - signalled) / 1e6 > 60_000) throw new Error(`nobody took ${lease} over within 60 s`);
        else await sleep(10);
      }
      await leader.exited;
      const key = `${lease} (${how})`;
      samples.set(key, [...(samples.get(key) ?? []), Math.round(takeoverMs)]);
      say(`failover: ${key} taken over after ${Math.round(takeoverMs)} ms (round ${round + 1}/${options.rounds})`);
      await startReplica();
      await sleep(1_000);
    }
  } finally {
    loading = false;
    await load;
    await Promise.all(replicas.map((r) => r.stop(10_000)));
    await kafka?.stop();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return [...samples.entries()].map(([lease, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      scenario: 'failover',
      lease,
      ttlMs: DEFAULT_TTL_MS,
      kills: sorted.length,
      takeoverMs: { min: sorted[0], median: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] },
    };
  });
}
