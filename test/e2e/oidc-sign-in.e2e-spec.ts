import { signInWithAuthorizationCode, startOidcProvider, OidcTestProvider } from '../support/oidc-provider';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

const REDIRECT_URI = 'http://127.0.0.1:5173/signed-in';
const USERS = {
  ann: { name: 'Ann Agent', roles: ['agent', 'uma_authorization'] },
  marco: { name: 'Marco Manager', roles: ['manager'] },
};
const decode = (jwt: string, part: 0 | 1): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[part], 'base64url').toString());

/**
 * Issue 14, sign-in: the API accepts access tokens of a real OpenID Connect provider, obtained the
 * way the desk obtains them (authorization code with PKCE, the provider's own login and consent
 * forms), checking who issued them and for whom, and keeps accepting its HS256 service tokens.
 */
describe('OpenID Connect sign-in against a real local provider', () => {
  let provider: OidcTestProvider;
  let stranger: OidcTestProvider;
  let t: TestApp;

  beforeAll(async () => {
    // Roles as Keycloak puts them, to go through a dotted claim path.
    [provider, stranger] = await Promise.all([
      startOidcProvider({ redirectUris: [REDIRECT_URI], users: USERS, rolesClaim: 'realm_access.roles', otherClientIds: ['billing'] }),
      startOidcProvider({ redirectUris: [REDIRECT_URI], users: USERS, rolesClaim: 'realm_access.roles' }),
    ]);
    t = await startTestApp({
      env: { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_ROLES_CLAIM: 'realm_access.roles', OIDC_SCOPES: 'openid profile' },
    });
  }, 90_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([provider?.close(), stranger?.close()]);
  });

  it('tells the desk which provider and client to sign in with', async () => {
    const answer = await t.request('GET', '/v1/desk/config');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ devSignIn: true, oidc: { issuer: provider.issuer, clientId: provider.clientId, scopes: 'openid profile' } });
  });

  it("accepts the provider's access token: the subject is the actor, the roles claim gives the roles", async () => {
    const { accessToken } = await signInWithAuthorizationCode(provider, { login: 'ann', redirectUri: REDIRECT_URI });
    expect(decode(accessToken, 0).alg).toBe('ES256');
    expect(decode(accessToken, 1)).toMatchObject({ iss: provider.issuer, aud: provider.audience, sub: 'ann', realm_access: { roles: ['agent', 'uma_authorization'] } });

    const logged = await t.request('POST', '/v1/cases', { token: accessToken, body: sampleRequest(new Date()) });
    expect(logged.status).toBe(201);
    const state = await t.request('GET', `/v1/cases/${logged.body.caseId}`, { token: accessToken });
    expect(state.status).toBe(200);
    expect(JSON.stringify(state.body)).toContain('"loggedBy":"ann"');
    // An agent, and nothing more: the manager's queue is not hers.
    expect((await t.request('GET', '/v1/queues/manager', { token: accessToken })).status).toBe(403);
  });

  it("maps a manager's roles as the provider gives them", async () => {
    const { accessToken } = await signInWithAuthorizationCode(provider, { login: 'marco', redirectUri: REDIRECT_URI });
    expect((await t.request('GET', '/v1/queues/manager', { token: accessToken })).status).toBe(200);
    expect((await t.request('POST', '/v1/cases', { token: accessToken, body: sampleRequest(new Date()) })).status).toBe(403);
  });

  it('refuses a token from another issuer with the same 401 as any bad token', async () => {
    const { accessToken } = await signInWithAuthorizationCode(stranger, { login: 'marco', redirectUri: REDIRECT_URI });
    const foreign = await t.request('GET', '/v1/queues/manager', { token: accessToken });
    const forged = await t.request('GET', '/v1/queues/manager', { token: t.token('marco', ['manager'], { secret: 'another-secret-that-is-long-enough-0123456789' }) });
    for (const answer of [foreign, forged]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.body).toMatchObject({ type: 'https://refund-desk.dev/problems/unauthenticated', status: 401 });
      expect(answer.body.detail).toMatch(/^The bearer token is not valid: /);
    }
    expect(foreign.body.detail).toContain('issuer');
  });

  it('refuses an access token whose roles were altered after signing, and one with alg none', async () => {
    const { accessToken } = await signInWithAuthorizationCode(provider, { login: 'ann', redirectUri: REDIRECT_URI });
    const [header, , signature] = accessToken.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...decode(accessToken, 1), realm_access: { roles: ['admin'] } })).toString('base64url');
    expect((await t.request('GET', '/v1/admin/read-models', { token: `${header}.${promoted}.${signature}` })).status).toBe(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expect((await t.request('GET', '/v1/admin/read-models', { token: `${none}.${promoted}.` })).status).toBe(401);
  });

  it('keeps accepting HS256 service tokens', async () => {
    const service = t.token('svc_payments', ['service']);
    expect((await t.request('POST', '/v1/cases', { token: service, body: sampleRequest(new Date()) })).status).toBe(201);
  });

  it("refuses the same provider's token meant for another application (aud)", async () => {
    const { accessToken } = await signInWithAuthorizationCode({ issuer: provider.issuer, clientId: 'billing' }, { login: 'marco', redirectUri: REDIRECT_URI });
    expect(decode(accessToken, 1)).toMatchObject({ iss: provider.issuer, aud: 'billing', realm_access: { roles: ['manager'] } });
    const answer = await t.request('GET', '/v1/queues/manager', { token: accessToken });
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toMatch(/aud/);
  });
});

describe('OpenID Connect provider unreachable', () => {
  it('answers 503 with Retry-After to its tokens, and HS256 tokens still pass at once', async () => {
    const gone = await startOidcProvider({ redirectUris: [REDIRECT_URI], users: USERS });
    const { accessToken } = await signInWithAuthorizationCode(gone, { login: 'marco', redirectUri: REDIRECT_URI });
    await gone.close();
    const t = await startTestApp({ env: { OIDC_ISSUER: gone.issuer, OIDC_CLIENT_ID: gone.clientId } });
    try {
      const answer = await t.request('GET', '/v1/queues/manager', { token: accessToken });
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.body).toMatchObject({ type: 'https://refund-desk.dev/problems/unavailable', status: 503 });
      // While it cools off, the next one is told at once rather than after another attempt.
      const started = Date.now();
      expect((await t.request('GET', '/v1/queues/manager', { token: accessToken })).status).toBe(503);
      expect((await t.request('GET', '/v1/queues/manager', { token: t.token('mgr_hs', ['manager']) })).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await t.close();
    }
  }, 90_000);
});
