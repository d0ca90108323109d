import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;

function readModels(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let owner: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    owner = t.token('sofia', ['senior_manager']);
    admin = t.token('ada', ['admin']);
  });
  afterAll(() => t?.close());

  const inQueue = async (caseId: string, position: number): Promise<boolean> => {
    const queue = await t.request('GET', `/v1/queues/manager?minPosition=${position}&limit=200`, { token: manager });
    expect(queue.status).toBe(200);
    expect(queue.headers.get('x-min-position-reached')).toBe('true');
    return queue.body.items.some((item: { caseId: string }) => item.caseId === caseId);
  };

  it('shows an escalated case in the manager queue until it is decided, and in the timeline and trends', async () => {
    const now = t.clock.now();
    const request = sampleRequest(now);
    const customerId = (request.customer as { id: string }).id;
    const logged = await t.request('POST', '/v1/cases', { token: agent, body: request });
    const caseId = logged.body.caseId as string;
    const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
    expect(evaluated.body.status).toBe('escalated');

    expect(await inQueue(caseId, evaluated.body.position)).toBe(true);
    const queue = await t.request('GET', `/v1/queues/manager?customerId=${customerId}`, { token: manager });
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        caseId,
        customerId,
        product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances' },
        amount: { minor: 4990, currency: 'EUR' },
        reasonCode: 'defective',
        priority: 'normal',
        slaBreached: false,
        assignee: null,
      }),
    ]);

    const assigned = await t.request('POST', `/v1/cases/${caseId}/assignment`, { token: manager, body: { assignee: 'mgr_marco' } });
    const mine = await t.request('GET', `/v1/queues/manager?assignee=mgr_marco&minPosition=${assigned.body.position}`, { token: manager });
    expect(mine.body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);

    // Past the 48-hour deadline the same case shows as breached.
    t.clock.advance(49 * 3_600_000);
    const late = await t.request('GET', `/v1/queues/manager?customerId=${customerId}&slaBreached=true`, { token: manager });
    expect(late.body.items).toEqual([expect.objectContaining({ caseId, slaBreached: true })]);

    const decided = await t.request('POST', `/v1/cases/${caseId}/decision`, {
      token: manager,
      body: { outcome: 'partial_refund', amount: { minor: 2500, currency: 'EUR' }, rationale: 'Goodwill' },
    });
    expect(decided.status).toBe(200);
    expect(await inQueue(caseId, decided.body.position)).toBe(false);

    const settled = await t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
      token: agent,
      body: { status: 'issued', method: 'card', amount: { minor: 2500, currency: 'EUR' }, reference: 'pay_9' },
    });
    const done = await t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
      token: agent,
      body: { status: 'settled', method: 'card', amount: { minor: 2500, currency: 'EUR' }, reference: 'pay_9' },
    });
    expect([settled.status, done.status]).toEqual([200, 200]);

    const timeline = await t.request('GET', `/v1/customers/${customerId}/timeline?minPosition=${done.body.position}`, { token: agent });
    expect(timeline.status).toBe(200);
    expect(timeline.headers.get('x-min-position-reached')).toBe('true');
    expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual([
      'RequestLogged',
      'PolicyEvaluated',
      'Escalated',
      'CaseAssigned',
      'Decided',
      'RefundIssued',
      'RefundSettled',
    ]);
    expect(timeline.body.summary).toEqual({ cases: 1, approved: 1, denied: 0, refunded: [{ minor: 2500, currency: 'EUR' }] });
    expect(timeline.text).not.toMatch(/Maria Rossi|maria@example\.com|Stopped heating/);

    const from = new Date(now.getTime() - DAY).toISOString();
    const to = new Date(t.clock.now().getTime() + DAY).toISOString();
    const trends = await t.request(
      'GET',
      `/v1/analytics/trends?from=${from}&to=${to}&interval=month&groupBy=product&minPosition=${done.body.position}`,
      { token: owner },
    );
    expect(trends.status).toBe(200);
    const kettle = trends.body.buckets.filter((b: { group: string }) => b.group === 'KTL-200');
    const sum = (field: string): number => kettle.reduce((n: number, b: Record<string, number>) => n + b[field], 0);
    expect([sum('requests'), sum('escalations'), sum('approvals'), sum('denials'), sum('slaBreaches')]).toEqual([1, 1, 1, 0, 1]);
    expect(kettle.flatMap((b: { refunded: unknown[] }) => b.refunded)).toEqual([{ minor: 2500, currency: 'EUR' }]);

    const insights = await t.request('GET', `/v1/analytics/insights?from=${from}&to=${to}`, { token: owner });
    expect(insights.status).toBe(200);
    expect(insights.body.findings.map((f: { kind: string }) => f.kind)).toEqual(expect.arrayContaining(['exception_cost', 'policy_revision_effect']));
  });

  it('lists decided cases in the follow-up queue once the policy delay has passed', async () => {
    const now = t.clock.now();
    const body = sampleRequest(now, {
      order: { id: 'ord_2', purchasedAt: new Date(now.getTime() - 3 * DAY).toISOString(), country: 'US', paymentMethod: 'card' },
      product: { sku: 'TS-1', name: 'T-shirt', category: 'clothing', condition: 'new' },
      amount: { minor: 1500, currency: 'USD' },
    });
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body });
    await t.request('POST', `/v1/cases/${logged.caseId}/evaluation`, { token: agent });
    const decided = await t.request('POST', `/v1/cases/${logged.caseId}/decision`, { token: agent, body: { outcome: 'refund', rationale: 'In policy' } });
    const notYet = await t.request('GET', `/v1/queues/follow-up?minPosition=${decided.body.position}`, { token: agent });
    expect(notYet.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(logged.caseId);
    t.clock.advance(7 * DAY + 1);
    const due = await t.request('GET', '/v1/queues/follow-up?outcome=refund&limit=500', { token: agent });
    expect(due.body.items).toContainEqual(expect.objectContaining({ caseId: logged.caseId, outcome: 'refund', channel: 'email', locale: 'it', daysOverdue: 0 }));
    const asked = await t.request('POST', `/v1/cases/${logged.caseId}/follow-up`, { token: agent, body: { satisfaction: 5, channel: 'email' } });
    const after = await t.request('GET', `/v1/queues/follow-up?limit=500&minPosition=${asked.body.position}`, { token: agent });
    expect(after.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(logged.caseId);
  });

  it('refuses bad query input with 400 Problem Details naming the field, and checks roles', async () => {
    const cases: Array<[string, string, string]> = [
      ['/v1/queues/manager?priority=soon', manager, 'priority'],
      ['/v1/queues/manager?limit=0', manager, 'limit'],
      ['/v1/queues/manager?slaBreached=maybe', manager, 'slaBreached'],
      ['/v1/queues/manager?cursor=bm9wZQ', manager, 'cursor'],
      ['/v1/queues/manager?minPosition=-1', manager, 'minPosition'],
      ['/v1/queues/manager?colour=red', manager, 'colour'],
      ['/v1/queues/follow-up?outcome=maybe', agent, 'outcome'],
      ['/v1/customers/bad%20id/timeline', agent, 'customerId'],
      ['/v1/analytics/trends?interval=hour', owner, 'interval'],
      ['/v1/analytics/trends?from=yesterday', owner, 'from'],
      ['/v1/analytics/trends?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', owner, 'from'],
      ['/v1/analytics/trends?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=day', owner, 'interval'],
      ['/v1/analytics/insights?minCases=many', owner, 'minCases'],
    ];
    for (const [path, token, field] of cases) {
      const response = await t.request('GET', path, { token });
      expect([path, response.status]).toEqual([path, 400]);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await t.request('GET', '/v1/queues/manager', { token: agent })).status).toBe(403);
    expect((await t.request('GET', '/v1/analytics/insights', { token: t.token('aud', ['auditor']) })).status).toBe(403);
    expect((await t.request('GET', '/v1/analytics/trends', { token: t.token('aud', ['auditor']) })).status).toBe(200);
    expect((await t.request('GET', '/v1/queues/manager')).status).toBe(401);
  });

  it('documents the query routes and their parameters in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/docs-json');
    for (const path of ['/v1/queues/manager', '/v1/queues/follow-up', '/v1/customers/{customerId}/timeline', '/v1/analytics/trends', '/v1/analytics/insights']) {
      const names = doc.body.paths[path].get.parameters.map((p: { name: string }) => p.name);
      expect([path, names]).toEqual([path, expect.arrayContaining(['minPosition'])]);
      expect(doc.body.paths[path].get.responses['200'].headers).toHaveProperty('X-Min-Position-Reached');
    }
    expect(doc.body.paths['/v1/queues/manager'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['assignee', 'unassigned', 'priority', 'slaBreached', 'limit', 'cursor']),
    );
    expect(doc.body.paths['/v1/analytics/trends'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'interval', 'groupBy']),
    );
    expect(doc.body.paths).toHaveProperty(['/v1/admin/read-models/{name}/rebuild']);
  });

  it('answers minPosition it cannot reach within the wait with the data and X-Min-Position-Reached: false', async () => {
    const response = await t.request('GET', '/v1/queues/follow-up?minPosition=999999999', { token: agent });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-min-position-reached')).toBe('false');
  }, 20_000);

  it('rebuilds a read model inside the service while the old tables keep serving, and reports lag on /health', async () => {
    const before = await t.request('GET', '/v1/queues/manager?limit=200', { token: manager });
    const started = await t.request('POST', '/v1/admin/read-models/all/rebuild', { token: admin });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'running', readModels: expect.arrayContaining(['manager_queue', 'trend_analytics']) });
    expect((await t.request('POST', '/v1/admin/read-models/nope/rebuild', { token: admin })).status).toBe(404);
    expect((await t.request('POST', '/v1/admin/read-models/all/rebuild', { token: manager })).status).toBe(403);
    let job = started.body;
    while (job.state === 'running') {
      expect((await t.request('GET', '/v1/queues/manager?limit=200', { token: manager })).status).toBe(200);
      job = (await t.request('GET', '/v1/admin/read-models/manager_queue/rebuild', { token: admin })).body;
    }
    expect(job).toMatchObject({ state: 'succeeded', progress: { phase: 'done' } });
    const list = await t.request('GET', '/v1/admin/read-models', { token: admin });
    expect(list.body.find((r: { name: string }) => r.name === 'manager_queue')).toMatchObject({ generation: 2, rebuilding: null });
    const after = await t.request('GET', '/v1/queues/manager?limit=200', { token: manager });
    expect(after.body.items).toEqual(before.body.items);

    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.projections.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['manager_queue', 'follow_up_queue', 'customer_timeline', 'trend_analytics']),
    );
    for (const p of health.body.projections) expect(p).toEqual(expect.objectContaining({ lagEvents: expect.any(Number), lagSeconds: expect.any(Number) }));
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toContain('refund_desk_projection_lag_seconds{projection="manager_queue"}');
    expect(metrics.text).toContain('refund_desk_projection_events_applied_total{projection="trend_analytics"}');
  });

  it('answers 409 rebuild-running, naming the holder, while another replica or the CLI rebuilds the read model', async () => {
    // Another process's rebuild, as the lease table shows it: a row nobody in this process took.
    await t.db.query(
      `INSERT INTO leases (name, holder, token, acquired_at, expires_at) VALUES ('rebuild:customer_timeline', 'cli-on-host-b', 7, now(), now() + interval '1 minute')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, token = leases.token + 1, expires_at = EXCLUDED.expires_at`,
    );
    const generation = async (): Promise<number> =>
      (await t.request('GET', '/v1/admin/read-models', { token: admin })).body.find((r: { name: string }) => r.name === 'customer_timeline').generation;
    const before = await generation();
    for (const name of ['customer_timeline', 'all']) {
      const refused = await t.request('POST', `/v1/admin/read-models/${name}/rebuild`, { token: admin });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({
        type: 'https://refund-desk.dev/problems/rebuild-running',
        status: 409,
        detail: expect.stringContaining('cli-on-host-b'),
        rebuildRunning: { readModel: 'customer_timeline', holder: 'cli-on-host-b' },
      });
    }
    // Nothing started here: no job, the other read models' leases given back, status still answers.
    expect((await t.request('GET', '/v1/admin/read-models/customer_timeline/rebuild', { token: admin })).body.state).not.toBe('running');
    const { rows } = await t.db.query<{ name: string }>(`SELECT name FROM leases WHERE name LIKE 'rebuild:%' AND expires_at >= now()`);
    expect(rows.map((row) => row.name)).toEqual(['rebuild:customer_timeline']);
    expect(await generation()).toBe(before);

    // Once that rebuild is over (its lease released), one starts here.
    await t.db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = 'rebuild:customer_timeline'`);
    // (A second request while it runs here gets that job, 200: read-model-rebuilds.spec.ts, where the rebuild can be held.)
    const started = await t.request('POST', '/v1/admin/read-models/customer_timeline/rebuild', { token: admin });
    expect(started.status).toBe(202);
    let job = started.body;
    while (job.state === 'running') job = (await t.request('GET', '/v1/admin/read-models/customer_timeline/rebuild', { token: admin })).body;
    expect(job.state).toBe('succeeded');
    expect(await generation()).toBeGreaterThan(before);
  });
}

describe('read models over HTTP on embedded PGlite', () => readModels('pglite'));
describeWithPostgres('read models over HTTP on PostgreSQL', () => readModels('postgres'));
