import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

/** Response headers and minPosition edge cases over HTTP (issue 11, finding 8). */
describe('response headers and minPosition (e2e)', () => {
  let t: TestApp;
  let agent: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000' } });
    agent = t.token('agent_ann', ['agent']);
  });
  afterAll(() => t.close());

  it('sends nosniff and a CSP on every response, and no-store on every /v1 response, errors and refusals included', async () => {
    const created = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    const v1 = [
      created,
      await t.request('GET', `/v1/cases/${caseId}`, { token: agent }),
      await t.request('GET', `/v1/customers/cus_1/timeline`, { token: agent }),
      await t.request('GET', '/v1/queues/follow-up', { token: agent }),
      await t.request('GET', `/v1/audit/cases/${caseId}/events`, { token: t.token('aud', ['auditor']) }),
      await t.request('GET', '/v1/policy'), // 401
      await t.request('GET', '/v1/queues/manager', { token: agent }), // 403
      await t.request('GET', '/v1/cases/00000000-0000-0000-0000-000000000000', { token: agent }), // 404
      await t.request('POST', '/v1/cases', { token: agent, body: {} }), // 400
    ];
    expect(v1.map((r) => r.status)).toEqual([201, 200, 200, 200, 200, 401, 403, 404, 400]);
    for (const response of v1) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    for (const path of ['/health', '/metrics', '/docs-json', '/nothing-here']) {
      const response = await t.request('GET', path);
      expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect([path, response.headers.get('content-security-policy')]).toEqual([path, "default-src 'none'; frame-ancestors 'none'"]);
    }
  });

  it('serves /docs with a CSP that allows only its own scripts, styles, images and API calls', async () => {
    const page = await fetch(`${t.url}/docs`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script the page loads is a file of its own under /docs (no inline script to allow) and is served.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await fetch(new URL(src, `${t.url}/docs`));
      expect([src, script.status]).toEqual([src, 200]);
      expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers minPosition=0 at once as reached, and refuses an empty minPosition', async () => {
    for (const path of ['/v1/queues/follow-up', '/v1/customers/cus_1/timeline']) {
      const started = Date.now();
      const zero = await t.request('GET', `${path}?minPosition=0`, { token: agent });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(zero.status).toBe(200);
      expect(zero.headers.get('x-min-position-reached')).toBe('true');
      for (const bad of ['', '%20', 'abc']) {
        const refused = await t.request('GET', `${path}?minPosition=${bad}`, { token: agent });
        expect([bad, refused.status]).toEqual([bad, 400]);
        expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain('minPosition');
      }
    }
  });
});
