import fc from 'fast-check';
import { ROLES } from '@refund-desk/domain';
import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';
import { describeReport, FuzzContext, OpenApiDocument, operationsOf, requestArbitrary, runFuzz } from './openapi-fuzzer';

/**
 * Fuzzes every route and parameter of the OpenAPI document the running app serves (/docs-json)
 * with real tokens. Gate: no 5xx and no crash. In CI it is bounded and seeded; `npm run fuzz`
 * runs a longer one (FUZZ_REQUESTS, FUZZ_PG_REQUESTS, FUZZ_SEED to change either).
 */
const LONG = process.env.FUZZ_LONG === '1';
const SEED = Number(process.env.FUZZ_SEED ?? (LONG ? Date.now() % 2 ** 31 : 20261130));
const REQUESTS = {
  pglite: Number(process.env.FUZZ_REQUESTS ?? (LONG ? 30_000 : 2_000)),
  postgres: Number(process.env.FUZZ_PG_REQUESTS ?? (LONG ? 10_000 : 1_000)),
};

/** Cases in every state, so commands reach the domain's rules rather than a 404. */
async function seedCases(t: TestApp, agent: string, manager: string, service: string): Promise<{ caseIds: string[]; customerIds: string[] }> {
  const caseIds: string[] = [];
  const customerIds: string[] = [];
  for (let i = 0; i < 8; i++) {
    const body = sampleRequest(t.clock.now());
    customerIds.push((body.customer as { id: string }).id);
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body });
    const id = logged.caseId as string;
    caseIds.push(id);
    if (i >= 1) await t.request('POST', `/v1/cases/${id}/evaluation`, { token: agent });
    if (i >= 2) await t.request('POST', `/v1/cases/${id}/assignment`, { token: manager, body: { assignee: 'mgr_marco' } });
    if (i >= 3) await t.request('POST', `/v1/cases/${id}/decision`, { token: manager, body: { outcome: 'refund', rationale: 'goodwill' } });
    if (i >= 4) await t.request('POST', `/v1/cases/${id}/communications`, { token: agent, body: { channel: 'email' } });
    if (i >= 5) {
      await t.request('POST', `/v1/cases/${id}/refund-execution`, {
        token: service,
        body: { status: 'settled', method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay_${i}` },
      });
    }
    if (i >= 6) await t.request('POST', `/v1/cases/${id}/follow-up`, { token: agent, body: { satisfaction: 4, channel: 'email' } });
    if (i >= 7) await t.request('POST', `/v1/cases/${id}/closure`, { token: agent, body: { summary: 'done' } });
  }
  return { caseIds, customerIds };
}

function fuzz(store: 'pglite' | 'postgres'): void {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ store });
  });
  afterAll(() => t?.close());

  it(`answers ${REQUESTS[store]} fuzzed requests over every route of the OpenAPI document without a 5xx or a crash`, async () => {
    const everyRole = t.token('fuzz_all', [...ROLES]);
    const single = ROLES.map((role) => t.token(`fuzz_${role}`, [role]));
    const agent = t.token('agent_ann', ['agent']);
    const manager = t.token('mgr_marco', ['manager']);
    const service = t.token('svc_payments', ['service']);
    const { caseIds, customerIds } = await seedCases(t, agent, manager, service);
    const doc = (await t.request<OpenApiDocument>('GET', '/docs-json')).body;
    const readModels = (await t.request<Array<{ name: string }>>('GET', '/v1/admin/read-models', { token: everyRole })).body.map((r) => r.name);
    const context: FuzzContext = {
      pathValues: { caseId: caseIds, customerId: customerIds, name: [...readModels, 'all'] },
      tokens: [everyRole, ...single, agent, manager, service],
      now: t.clock.now(),
    };
    const requests = fc.sample(requestArbitrary(doc, context), { seed: SEED, numRuns: REQUESTS[store] });
    const covered = new Set(requests.map((r) => r.operation));
    expect(operationsOf(doc).map((op) => `${op.method} ${op.path}`).filter((op) => !covered.has(op))).toEqual([]);

    const report = await runFuzz(t.url, requests);
    // The app is still up and serving after all of it.
    expect((await t.request('GET', '/v1/policy', { token: everyRole })).status).toBe(200);
    console.log(describeReport(store, SEED, report));
    expect(report.crashes.map((c) => `${c.request.method} ${c.request.url.slice(0, 100)} [${c.request.mutation}]: ${c.error}`)).toEqual([]);
    expect(report.serverErrors.map((e) => `${e.status} ${e.request.method} ${e.request.url.slice(0, 100)} [${e.request.mutation}]: ${e.body}`)).toEqual([]);
    expect(Object.keys(report.byStatus).filter((status) => status.startsWith('5'))).toEqual([]);
  }, 120_000 + REQUESTS[store] * 100);
}

describe('OpenAPI fuzz on embedded PGlite', () => fuzz('pglite'));
describeWithPostgres('OpenAPI fuzz on PostgreSQL', () => fuzz('postgres'));
