import { Logger } from '@nestjs/common';
import { Role, ROLES } from '@refund-desk/domain';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

/**
 * The HTTP table of ../shared/docs/contract.md, route by route, with the roles it allows (the
 * admin routes are this project's addition). Every route is called with every role: an allowed
 * role never meets 401/403, any other role always gets 403, and no token gets 401.
 */
const CONTRACT: ReadonlyArray<readonly [method: string, path: string, allowed: readonly Role[]]> = [
  ['POST', '/v1/cases', ['agent', 'service']],
  ['GET', '/v1/cases/{id}', ['agent', 'manager', 'senior_manager', 'auditor']],
  ['POST', '/v1/cases/{id}/notes', ['agent', 'manager', 'senior_manager']],
  ['POST', '/v1/cases/{id}/evaluation', ['agent']],
  ['POST', '/v1/cases/{id}/escalation', ['agent', 'manager']],
  ['POST', '/v1/cases/{id}/assignment', ['manager', 'senior_manager']],
  ['POST', '/v1/cases/{id}/decision', ['agent', 'manager', 'senior_manager']],
  ['POST', '/v1/cases/{id}/approval', ['manager', 'senior_manager']],
  ['POST', '/v1/cases/{id}/appeal', ['agent', 'service']],
  ['POST', '/v1/cases/{id}/appeal/decision', ['manager', 'senior_manager']],
  ['POST', '/v1/cases/{id}/communications', ['agent', 'manager']],
  ['POST', '/v1/cases/{id}/refund-execution', ['service', 'agent']],
  ['POST', '/v1/cases/{id}/follow-up', ['agent', 'service']],
  ['POST', '/v1/cases/{id}/closure', ['agent', 'manager']],
  ['GET', '/v1/queues/manager', ['manager', 'senior_manager']],
  ['GET', '/v1/queues/follow-up', ['agent', 'manager']],
  ['GET', '/v1/queues/late-refunds', ['agent', 'manager', 'senior_manager']],
  ['GET', '/v1/customers/cus_matrix/timeline', ['agent', 'manager', 'senior_manager', 'auditor']],
  ['GET', '/v1/analytics/trends', ['manager', 'senior_manager', 'auditor', 'admin']],
  ['GET', '/v1/analytics/insights', ['manager', 'senior_manager', 'admin']],
  ['GET', '/v1/policy', ROLES],
  ['PUT', '/v1/policy', ['senior_manager', 'admin']],
  ['GET', '/v1/audit/cases/{id}/events', ['auditor', 'admin']],
  ['GET', '/v1/audit/cases/{id}/state', ['auditor', 'admin']],
  ['GET', '/v1/audit/cases/{id}/verification', ['auditor', 'admin']],
  ['GET', '/v1/audit/events?limit=1', ['auditor', 'admin']],
  ['POST', '/v1/customers/cus_matrix_nobody/erasure', ['admin']],
  ['GET', '/v1/admin/read-models', ['admin']],
  ['GET', '/v1/admin/read-models/manager_queue/rebuild', ['admin']],
];

describe('role × route matrix', () => {
  let t: TestApp;
  let caseId: string;
  let denials: string[];

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.request('POST', '/v1/cases', { token: t.token('agent_setup', ['agent']), body: sampleRequest(t.clock.now()) });
    caseId = created.body.caseId;
    denials = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      if ((message as { msg?: string })?.msg === 'access denied') denials.push(JSON.stringify(message));
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it.each(CONTRACT)('%s %s: allowed roles pass, every other role is refused 403 and logged', async (method, template, allowed) => {
    const path = template.replace('{id}', caseId);
    // Bodies are empty on purpose: an allowed caller gets past auth and meets validation (400), not a change.
    const body = method === 'GET' ? undefined : {};
    for (const role of ROLES) {
      const result = await t.request(method, path, { token: t.token(`matrix_${role}`, [role]), body });
      if (allowed.includes(role)) {
        expect([method, template, role, 'refused', [401, 403].includes(result.status)]).toEqual([method, template, role, 'refused', false]);
        expect(result.status).toBeLessThan(500);
      } else {
        expect([method, template, role, result.status]).toEqual([method, template, role, 403]);
        expect(denials.some((line) => line.includes(`"sub":"matrix_${role}"`) && line.includes(path.split('?')[0]))).toBe(true);
      }
    }
    const anonymous = await t.request(method, path, { body });
    expect([method, template, 'no token', anonymous.status]).toEqual([method, template, 'no token', 401]);
  });

  it('serves health, metrics and the API documents without a token', async () => {
    for (const path of ['/health', '/metrics', '/docs', '/docs-json']) expect([path, (await t.request('GET', path)).status]).toEqual([path, 200]);
  });

  it('documents every route of the contract in OpenAPI', async () => {
    const paths = Object.keys((await t.request('GET', '/docs-json')).body.paths);
    for (const [, template] of CONTRACT) {
      const documented = template.split('?')[0].replace('{id}', '{caseId}').replace('cus_matrix_nobody', '{customerId}').replace('cus_matrix', '{customerId}').replace('manager_queue', '{name}');
      expect(paths).toContain(documented);
    }
  });
});
