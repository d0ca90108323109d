import { JwtService } from '@nestjs/jwt';
import { sampleRequest, startTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app';

/** Issue 14, sign-in outside production: a name and a role buy a development token. */
describe('development sign-in (POST /v1/dev/token)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_MAX_TOKEN_LIFETIME_S: '3600' } });
  }, 90_000);

  afterAll(() => t?.close());

  it('mints an HS256 token the API accepts, for a subject derived from the name', async () => {
    const before = Date.now();
    const minted = await t.request('POST', '/v1/dev/token', { body: { name: 'Ann Rossi', role: 'agent' } });
    expect(minted.status).toBe(201);
    const claims = new JwtService({ secret: TEST_JWT_SECRET }).verify(minted.body.token, { algorithms: ['HS256'] });
    expect(claims).toMatchObject({ sub: 'dev_ann_rossi', roles: ['agent'], name: 'Ann Rossi' });
    // The longest lifetime allowed here is an hour, shorter than the usual eight.
    expect(claims.exp - claims.iat).toBe(3600);
    expect(new Date(minted.body.expiresAt).getTime()).toBe(claims.exp * 1000);
    expect(new Date(minted.body.expiresAt).getTime()).toBeGreaterThanOrEqual(before + 3_599_000);

    const logged = await t.request('POST', '/v1/cases', { token: minted.body.token, body: sampleRequest(new Date()) });
    expect(logged.status).toBe(201);
    const state = await t.request('GET', `/v1/cases/${logged.body.caseId}`, { token: minted.body.token });
    expect(JSON.stringify(state.body)).toContain('"loggedBy":"dev_ann_rossi"');
  });

  it('gives the same name the same subject, and the role asked for', async () => {
    const again = await t.request('POST', '/v1/dev/token', { body: { name: '  ann ROSSI ', role: 'manager' } });
    expect(again.status).toBe(201);
    const claims = new JwtService({ secret: TEST_JWT_SECRET }).decode(again.body.token);
    expect(claims).toMatchObject({ sub: 'dev_ann_rossi', roles: ['manager'], name: 'ann ROSSI' });
    expect((await t.request('GET', '/v1/queues/manager', { token: again.body.token })).status).toBe(200);
  });

  it.each([
    [{ name: 'Ann', role: 'wizard' }, 'role'],
    [{ name: 'Ann' }, 'role'],
    [{ role: 'agent' }, 'name'],
    [{ name: '   ', role: 'agent' }, 'name'],
    [{ name: '--', role: 'agent' }, 'name'],
    [{ name: 'x'.repeat(101), role: 'agent' }, 'name'],
    [{ name: 42, role: 'agent' }, 'name'],
    [{ name: 'Ann', role: 'agent', roles: ['admin'] }, 'roles'],
  ])('refuses %p with a 400 naming %s', async (body, field) => {
    const answer = await t.request('POST', '/v1/dev/token', { body });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('is described by GET /v1/desk/config, with OIDC off when no issuer is set', async () => {
    const answer = await t.request('GET', '/v1/desk/config');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ devSignIn: true, oidc: null });
  });
});

describe('development sign-in in production', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: 'production', PII_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') } });
  }, 90_000);

  afterAll(() => t?.close());

  it('does not exist: 404, the same answer as a route that was never there', async () => {
    const refused = await t.request('POST', '/v1/dev/token', { body: { name: 'Mallory', role: 'admin' } });
    const unknown = await t.request('POST', '/v1/dev/tokens', { body: { name: 'Mallory', role: 'admin' } });
    expect(refused.status).toBe(404);
    expect(refused.text).not.toMatch(/eyJ/);
    const { instance: _refusedAt, detail: refusedDetail, ...refusedRest } = refused.body;
    const { instance: _unknownAt, detail: unknownDetail, ...unknownRest } = unknown.body;
    expect(refusedRest).toEqual(unknownRest);
    expect(refusedDetail).toBe(unknownDetail.replace('/v1/dev/tokens', '/v1/dev/token'));
  });

  // Only JSON that does not parse is refused earlier, by the HTTP server itself, as on any route with a body.
  it('answers 404 before validating the body, so a wrong one does not give the route away', async () => {
    for (const raw of ['{"role":"wizard"}', '[]', '{"name":"Mallory","role":"admin","roles":["admin"]}']) {
      const answer = await t.request('POST', '/v1/dev/token', { raw, headers: { 'content-type': 'application/json' } });
      expect([answer.status, answer.body?.detail]).toEqual([404, 'Cannot POST /v1/dev/token']);
    }
  });

  it('tells the desk that development sign-in is off', async () => {
    expect((await t.request('GET', '/v1/desk/config')).body).toEqual({ devSignIn: false, oidc: null });
  });
});
