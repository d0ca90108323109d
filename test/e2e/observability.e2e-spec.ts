import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { HealthController } from '@refund-desk/http-process';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** The database answers as a server at an internal address would while it is down. */
function cuttable(db: SqlDatabase): { db: SqlDatabase; cut(): void; restore(): void } {
  let down = false;
  const refuse = (): Promise<never> =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432'), { code: 'ECONNREFUSED', address: '10.20.30.40', port: 5432 }));
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      if (down && (property === 'query' || property === 'transaction')) return refuse;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, cut: () => void (down = true), restore: () => void (down = false) };
}

const metricLine = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('observability over HTTP', () => {
  let t: TestApp;
  let store: ReturnType<typeof cuttable>;

  beforeAll(async () => {
    store = cuttable(await PgliteDatabase.open());
    t = await startTestApp({ database: store.db, captureLogs: true });
  });
  afterAll(() => t?.close());

  it('records rate, errors and duration per route template, method and status', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const created = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    expect(created.status).toBe(201);
    await t.request('GET', `/v1/cases/${created.body.caseId}`, { token: agent });
    await t.request('GET', `/v1/cases/${created.body.caseId}`, { token: agent });
    expect((await t.request('GET', '/v1/cases/no_such_case', { token: agent })).status).toBe(404);
    expect((await t.request('GET', `/v1/cases/${created.body.caseId}`)).status).toBe(401);
    expect((await t.request('GET', '/no/such/route/123')).status).toBe(404);

    const { text } = await t.request('GET', '/metrics');
    const name = 'refund_desk_http_request_duration_seconds_count';
    const route = '/v1/cases/:caseId';
    expect(metricLine(text, name, { method: 'POST', route: '/v1/cases', status: '201', status_class: '2xx' })).toBe(1);
    expect(metricLine(text, name, { method: 'GET', route, status: '200', status_class: '2xx' })).toBe(2);
    expect(metricLine(text, name, { method: 'GET', route, status: '404', status_class: '4xx' })).toBe(1);
    expect(metricLine(text, name, { method: 'GET', route, status: '401', status_class: '4xx' })).toBe(1);
    expect(metricLine(text, name, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(metricLine(text, 'refund_desk_http_request_duration_seconds_bucket', { method: 'POST', route: '/v1/cases', le: '+Inf' })).toBe(1);
    expect(metricLine(text, 'refund_desk_http_request_duration_seconds_sum', { method: 'POST', route: '/v1/cases' })).toBeGreaterThan(0);
    // Raw URLs never become labels: no series per case id or per unknown path.
    expect(text).not.toContain(created.body.caseId);
    expect(text).not.toContain('/no/such/route');
  });

  it('continues the caller’s trace: answers traceparent, records it on the events and in the request log line', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const created = await t.request('POST', '/v1/cases', {
      token: agent,
      body: sampleRequest(t.clock.now()),
      headers: { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7', 'x-correlation-id': 'corr-traced' },
    });
    expect(created.status).toBe(201);
    const answered = created.headers.get('traceparent')!;
    expect(answered).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(answered).not.toBe(TRACEPARENT);

    const { rows } = await t.db.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM events WHERE stream_id = $1', [
      `refundCase-${created.body.caseId}`,
    ]);
    expect(rows[0].metadata).toMatchObject({ traceparent: answered, tracestate: 'rojo=00f067aa0ba902b7', correlationId: 'corr-traced' });

    const evaluated = await t.request('POST', `/v1/cases/${created.body.caseId}/evaluation`, { token: agent });
    expect(evaluated.status).toBe(200);
    // The hash chain covers the new metadata and still verifies, next to events of an untraced request.
    const auditor = t.token('aud_ada', ['auditor']);
    const verification = await t.request('GET', `/v1/audit/cases/${created.body.caseId}/verification`, { token: auditor });
    expect(verification.body).toMatchObject({ valid: true });

    const line = t.logs().find((l) => l.req?.id === 'corr-traced');
    expect(line).toMatchObject({ traceId: TRACE_ID, spanId: answered.split('-')[2], res: { statusCode: 201 } });
  });

  it('starts a new trace for a malformed traceparent instead of refusing the request', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const created = await t.request('POST', '/v1/cases', {
      token: agent,
      body: sampleRequest(t.clock.now()),
      headers: { traceparent: '00-NOT-A-TRACE-01', tracestate: 'rojo=1' },
    });
    expect(created.status).toBe(201);
    const answered = created.headers.get('traceparent')!;
    expect(answered).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const { rows } = await t.db.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM events WHERE stream_id = $1', [
      `refundCase-${created.body.caseId}`,
    ]);
    expect(rows[0].metadata.traceparent).toBe(answered);
    expect(rows[0].metadata).not.toHaveProperty('tracestate');
    expect((await t.request('GET', '/health/live', { headers: { traceparent: 'garbage' } })).status).toBe(200);
  });

  it('logs every line with service and version, and leaves probes and scrapes out of the request log', async () => {
    const before = t.logs().length;
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/health/ready?verbose=1']) {
      expect((await t.request('GET', path)).status).toBe(200);
    }
    await t.request('GET', '/v1/policy', { token: t.token('mgr_marco', ['manager']) });
    const lines = t.logs();
    expect(lines.length).toBeGreaterThan(before);
    for (const line of lines) expect(line).toMatchObject({ service: 'refund-desk', version: VERSION });
    const urls = lines.flatMap((l) => (l.req?.url ? [l.req.url as string] : []));
    expect(urls).toContain('/v1/policy');
    expect(urls.filter((url) => url.startsWith('/health') || url.startsWith('/metrics'))).toEqual([]);
  });

  it('answers liveness and readiness apart: readiness 503 while the store is unreachable, with no address in any body', async () => {
    const live = await t.request('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { store: { status: 'up', name: 'pglite' }, database: { status: 'up', kind: 'pglite' } } });

    store.cut();
    try {
      const notReady = await t.request('GET', '/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ status: 'error', error: { store: { status: 'down' }, database: { status: 'down' } } });
      const health = await t.request('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'down', store: { reachable: false, headPosition: null } });
      for (const body of [notReady.text, health.text]) {
        expect(body).not.toContain('10.20.30.40');
        expect(body).not.toContain('ECONNREFUSED');
      }
      // Still alive: restarting the process would not bring the database back.
      expect((await t.request('GET', '/health/live')).status).toBe(200);
      // The cause is for operators, in the log.
      expect(t.logs().some((l) => l.msg === 'health check failed' && JSON.stringify(l.err).includes('10.20.30.40'))).toBe(true);
    } finally {
      store.restore();
    }
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
  });

  it('says not ready from the moment shutdown begins, while it still answers', async () => {
    // What SIGTERM starts (enableShutdownHooks → close → onModuleDestroy); the server answers until its close.
    t.app.get(HealthController).onModuleDestroy();
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { lifecycle: { status: 'down', message: 'shutting down' } } });
    expect((await t.request('GET', '/health/live')).status).toBe(200);
  });
});
