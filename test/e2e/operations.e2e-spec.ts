import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDatabase } from '@refund-desk/database';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

describe('operations routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('reports health without a token: the store and each projection’s lag', async () => {
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      store: { name: 'pglite', reachable: true, headPosition: expect.any(Number) },
      projections: expect.arrayContaining([expect.objectContaining({ name: 'customer_history', lagEvents: expect.any(Number), lagSeconds: expect.any(Number) })]),
    });
  });

  it('serves Prometheus metrics with request timings, command timings and projection lag', async () => {
    const agent = t.token('agent_ann', ['agent']);
    await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(/refund_desk_command_duration_seconds_count\{command="LogRequest",result="ok"\} 1/);
    expect(metrics.text).toContain('refund_desk_projection_lag_events{projection="customer_history"}');
    expect(metrics.text).toContain('refund_desk_process_cpu_user_seconds_total');
  });

  it('publishes the OpenAPI document with every contract route and bearer auth', async () => {
    const doc = await t.request('GET', '/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/v1/cases',
      '/v1/cases/{caseId}',
      '/v1/cases/{caseId}/notes',
      '/v1/cases/{caseId}/evaluation',
      '/v1/cases/{caseId}/escalation',
      '/v1/cases/{caseId}/assignment',
      '/v1/cases/{caseId}/decision',
      '/v1/cases/{caseId}/communications',
      '/v1/cases/{caseId}/refund-execution',
      '/v1/cases/{caseId}/follow-up',
      '/v1/cases/{caseId}/closure',
      '/v1/policy',
    ]) {
      expect(paths).toContain(path);
    }
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.components.schemas.LogRequestDto.required).toEqual(
      expect.arrayContaining(['customer', 'order', 'product', 'amount', 'reason', 'requestedResolution', 'channel']),
    );
    expect((await t.request('GET', '/docs')).status).toBe(200);
  });

  it('echoes the correlation id and records it on the events', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const created = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()), headers: { 'x-correlation-id': 'corr-42' } });
    expect(created.headers.get('x-correlation-id')).toBe('corr-42');
    const { rows } = await t.db.query<{ metadata: { correlationId: string; actor: string; customerId: string } }>(
      `SELECT metadata FROM events WHERE stream_id = $1`,
      [`refundCase-${created.body.caseId}`],
    );
    expect(rows[0].metadata).toMatchObject({ correlationId: 'corr-42', actor: 'agent_ann', customerId: expect.stringMatching(/^cus_/) });
  });
});

describe('embedded store across a restart', () => {
  it('keeps every case and the policy when the process starts again on the same data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-restart-'));
    try {
      const first = await startTestApp({ database: await PgliteDatabase.open({ dataDir }), dataDir });
      const agent = first.token('agent_ann', ['agent']);
      const { body } = await first.request('POST', '/v1/cases', { token: agent, body: sampleRequest(first.clock.now()) });
      await first.request('POST', `/v1/cases/${body.caseId}/evaluation`, { token: agent });
      await first.close();

      await expect(PgliteDatabase.open({ dataDir }).then((db) => db.close())).resolves.toBeUndefined();
      const second = await startTestApp({ database: await PgliteDatabase.open({ dataDir }), dataDir });
      try {
        const view = await second.request('GET', `/v1/cases/${body.caseId}`, { token: second.token('agent_ann', ['agent']) });
        expect(view.status).toBe(200);
        expect(view.body).toMatchObject({ status: 'escalated', version: 3 });
        expect(view.body.request.customer.name).toBe('Maria Rossi');
        const policy = await second.request('GET', '/v1/policy', { token: agent });
        expect(policy.body.version).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a master key other than the one the data was sealed with', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-masterkey-'));
    try {
      const first = await startTestApp({ database: await PgliteDatabase.open({ dataDir }), dataDir });
      await first.close();
      await expect(
        startTestApp({ database: await PgliteDatabase.open({ dataDir }), dataDir, env: { PII_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') } }),
      ).rejects.toThrow(/PII_MASTER_KEY does not open the keys/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second database on the same data folder, and is not blocked by a stale pid naming a live process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-lock-'));
    try {
      // An earlier version's pid file naming a live, unrelated process (the jest parent) no longer blocks.
      writeFileSync(join(dataDir, 'refund-desk.pid'), String(process.ppid));
      const first = await PgliteDatabase.open({ dataDir });
      await expect(PgliteDatabase.open({ dataDir })).rejects.toThrow(new RegExp(`in use by process ${process.pid}\\b.*DATA_DIR`));
      await first.close();
      const db = await PgliteDatabase.open({ dataDir });
      await db.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
