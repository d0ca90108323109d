import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_CSP, deskCsp, DOCS_CSP } from '@refund-desk/http-api';
import { startTestApp, TestApp } from '../support/test-app';

/** The desk's files as the service serves them (a stand-in build in DESK_DIR; the real one is tested in a browser). */
describe('the desk at / (e2e)', () => {
  let t: TestApp;
  let dir: string;
  const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'refund-desk-desk-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("desk")');
    process.env.DESK_DIR = dir;
    t = await startTestApp();
  });
  afterAll(async () => {
    delete process.env.DESK_DIR;
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, init?: RequestInit) => fetch(`${t.url}${path}`, init);

  it('serves index.html, revalidated, with the desk CSP, at / and at every client route', async () => {
    for (const path of ['/', '/queue', '/cases/8a7c2f4e-0000-4000-8000-000000000000', '/audit/x?version=2', '/nothing-here']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('keeps the desk CSP on a 304 revalidation, whose headers the browser merges into the cached page', async () => {
    for (const path of ['/', '/queue']) {
      const first = await get(path);
      // What a browser sends when it reloads a page it holds.
      const validator = { 'if-none-match': first.headers.get('etag') ?? '', 'if-modified-since': first.headers.get('last-modified') ?? '', 'cache-control': 'max-age=0' };
      const again = await get(path, { headers: validator });
      expect([path, again.status]).toEqual([path, 304]);
      expect([path, again.headers.get('content-security-policy')]).toEqual([path, first.headers.get('content-security-policy')]);
    }
  });

  it('lets browsers keep hashed files for a year', async () => {
    const response = await get('/assets/index-AbC123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never answers the page for the service paths, a missing file or another method: those keep the 404 problem', async () => {
    for (const path of ['/v1/nothing', '/v1', '/docs/nothing', '/health/nothing', '/metrics/x', '/assets/index-gone.js', '/favicon.ico']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      // Never the desk's CSP: /docs keeps the Swagger UI's, everything else the API's.
      expect([path, response.headers.get('content-security-policy')]).toEqual([path, path.startsWith('/docs/') ? DOCS_CSP : API_CSP]);
      expect(response.headers.get('content-security-policy')).not.toBe(deskCsp());
    }
    expect((await get('/queue', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    // The service's own routes are untouched.
    expect((await get('/health')).headers.get('content-type')).toContain('application/json');
    expect((await get('/v1/policy')).status).toBe(401);
  });
});
