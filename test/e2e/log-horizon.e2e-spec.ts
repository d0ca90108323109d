import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { PostgresDatabase } from '@refund-desk/database';
import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';
import { eventually } from '../support/kafka/test-kafka';
import { freePort } from '../support/processes';

const metric = (text: string, name: string): number => {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
};

/**
 * The read horizon is server-wide: a transaction left open in another database of the same
 * server keeps every later commit unreadable. /health and /metrics must say so.
 *
 * On a PostgreSQL cluster of its own (pg_createcluster, as on Debian and CI): holding the horizon
 * of the shared test server would stall every suite running beside this one.
 */
describeWithPostgres('a transaction held open in another database (PostgreSQL)', () => {
  let t: TestApp;
  const cluster = `horizon_${randomBytes(4).toString('hex')}`;
  const version = readdirSync('/etc/postgresql').sort().pop() ?? '15';
  let url: string;
  const other = 'other_app';
  const appName = `refund-desk-test-${cluster}`;
  let admin: Client | undefined;
  let holder: Client | undefined;

  beforeAll(async () => {
    const port = await freePort();
    execFileSync('pg_createcluster', [version, cluster, '-p', String(port), '--', '--auth=trust'], { stdio: 'pipe' });
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'start'], { stdio: 'pipe' });
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${other}`);
    const db = await PostgresDatabase.open({ connectionString: url, schema: 'horizon', poolSize: 4 });
    t = await startTestApp({ database: db, env: { DATABASE_URL: url, LOG_HORIZON_DEGRADED_SECONDS: '2' } });
  }, 120_000);
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await t?.close();
    await admin?.end().catch(() => undefined);
    execFileSync('pg_dropcluster', ['--stop', version, cluster], { stdio: 'pipe' });
  }, 60_000);

  it('shows the held events, the transaction holding them and for how long, and degrades past the threshold', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const before = await t.request('GET', '/health');
    expect(before.body.horizon).toMatchObject({ degraded: false });

    const otherUrl = new URL(url);
    otherUrl.pathname = `/${other}`;
    holder = new Client({ connectionString: otherUrl.toString(), application_name: appName });
    await holder.connect();
    await holder.query('BEGIN');
    // A transaction id is what moves the horizon (a write, or asking for one); a read-only transaction would not.
    await holder.query('SELECT pg_current_xact_id()');
    const heldSince = Date.now();

    const created = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    expect(created.status).toBe(201);

    const held = await t.request('GET', '/health');
    expect(held.status).toBe(200);
    expect(held.body.store.headPosition ?? 0).toBeLessThan(created.body.position);
    expect(held.body.horizon.heldEvents).toBeGreaterThanOrEqual(1);
    expect(held.body.horizon.oldestTransaction).not.toBeNull();

    await eventually('health to degrade', async () => (await t.request('GET', '/health')).body.status === 'degraded', 20_000);
    const degraded = await t.request('GET', '/health');
    process.stdout.write(`/health while a transaction in database ${other} holds the horizon:\n${JSON.stringify(degraded.body.horizon, null, 2)}\n`);
    expect(degraded.body.horizon).toMatchObject({ degraded: true, heldEvents: expect.any(Number) });
    expect(degraded.body.horizon.heldSeconds).toBeGreaterThan(2);
    const tx = degraded.body.horizon.oldestTransaction;
    expect(tx.ageSeconds).toBeGreaterThanOrEqual((Date.now() - heldSince) / 1000 - 1);
    expect(tx).toMatchObject({ database: other, applicationName: appName, state: 'idle in transaction' });
    const metrics = await t.request('GET', '/metrics');
    expect(metric(metrics.text, 'refund_desk_log_horizon_held_events')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics.text, 'refund_desk_log_horizon_held_seconds')).toBeGreaterThan(2);
    expect(metric(metrics.text, 'refund_desk_log_horizon_oldest_transaction_seconds')).toBeGreaterThan(2);

    await holder.query('COMMIT');
    await eventually('the held events readable again', async () => {
      const health = await t.request('GET', '/health');
      return health.body.horizon.heldEvents === 0 && health.body.store.headPosition >= created.body.position;
    }, 20_000);
    await eventually('health back to ok', async () => (await t.request('GET', '/health')).body.status === 'ok', 20_000);
  });
});
