import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { POSTGRES_TEST_URL, describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';
import { eventually } from '../support/kafka/test-kafka';

const metric = (text: string, name: string): number => {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
};

/**
 * The read horizon is server-wide: a transaction left open in another database of the same
 * server keeps every later commit unreadable. /health and /metrics must say so.
 */
describeWithPostgres('a transaction held open in another database (PostgreSQL)', () => {
  let t: TestApp;
  const other = `horizon_${randomBytes(4).toString('hex')}`;
  const appName = `refund-desk-test-${other}`;
  let admin: Client;
  let holder: Client | undefined;

  beforeAll(async () => {
    admin = new Client({ connectionString: POSTGRES_TEST_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${other}`);
    t = await startTestApp({ store: 'postgres', env: { LOG_HORIZON_DEGRADED_SECONDS: '2' } });
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await t?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${other}`).catch(() => undefined);
    await admin?.end();
  });

  it('shows the held events, the transaction holding them and for how long, and degrades past the threshold', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const before = await t.request('GET', '/health');
    expect(before.body.horizon).toMatchObject({ degraded: false });

    const url = new URL(POSTGRES_TEST_URL);
    url.pathname = `/${other}`;
    holder = new Client({ connectionString: url.toString(), application_name: appName });
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
    process.stdout.write(`/health while a transaction in ${other} holds the horizon:\n${JSON.stringify(degraded.body.horizon, null, 2)}\n`);
    expect(degraded.body.horizon).toMatchObject({ degraded: true, heldEvents: expect.any(Number) });
    expect(degraded.body.horizon.heldSeconds).toBeGreaterThan(2);
    const tx = degraded.body.horizon.oldestTransaction;
    expect(tx.ageSeconds).toBeGreaterThanOrEqual((Date.now() - heldSince) / 1000 - 1);
    // The holder named is ours, unless another session on this shared server has held one even longer.
    if (Date.parse(tx.startedAt) >= heldSince - 1_000) {
      expect(tx).toMatchObject({ database: other, applicationName: appName, state: 'idle in transaction' });
    }
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
