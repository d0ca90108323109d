import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { OidcProviderUnavailable, OidcTokenRejected, OidcTokenVerifier } from './oidc-verifier';

/**
 * The verifier against a hand-held provider: an HTTP server serving a discovery document and a
 * JWKS, counting how often it is asked, that a test can make slow, wrong or absent.
 */
interface FakeProvider {
  issuer: string;
  requests: { discovery: number; jwks: number };
  mode: 'ok' | 'down' | 'hang' | 'other-issuer';
  keys: JWK[];
  close(): Promise<void>;
}

async function fakeProvider(): Promise<FakeProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: FakeProvider = {
    issuer,
    requests: { discovery: 0, jwks: 0 },
    mode: 'ok',
    keys: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('request', (request, response) => {
    const discovery = request.url === '/.well-known/openid-configuration';
    state.requests[discovery ? 'discovery' : 'jwks'] += 1;
    if (state.mode === 'hang') return;
    if (state.mode === 'down') return void response.writeHead(502).end();
    response.setHeader('content-type', 'application/json');
    if (discovery) {
      response.end(JSON.stringify({ issuer: state.mode === 'other-issuer' ? 'https://evil.example.com' : issuer, jwks_uri: `${issuer}/jwks` }));
    } else {
      response.end(JSON.stringify({ keys: state.keys }));
    }
  });
  return state;
}

describe('OidcTokenVerifier', () => {
  const AUDIENCE = 'refund-desk';
  let provider: FakeProvider;
  let es: { privateKey: KeyLike; publicKey: KeyLike };
  let rs: { privateKey: KeyLike; publicKey: KeyLike };
  let now: number;
  const verifier = (options: { retryAfterS?: number; timeoutMs?: number } = {}) =>
    new OidcTokenVerifier({ issuer: provider.issuer, audience: AUDIENCE, rolesClaim: 'roles' }, { maxLifetimeS: 3600, now: () => now, ...options });

  const sign = (claims: Record<string, unknown> = {}, options: { alg?: string; kid?: string; key?: KeyLike | Uint8Array; lifetimeS?: number } = {}) => {
    const alg = options.alg ?? 'ES256';
    const iat = Math.floor(now / 1000);
    return new SignJWT({ sub: 'u-1', roles: ['manager'], iss: provider.issuer, aud: AUDIENCE, iat, exp: iat + (options.lifetimeS ?? 600), ...claims })
      .setProtectedHeader({ alg, kid: options.kid ?? (alg === 'RS256' ? 'rs' : 'es'), typ: 'at+jwt' })
      .sign(options.key ?? (alg === 'RS256' ? rs.privateKey : es.privateKey));
  };

  const rejection = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('the token was accepted');
  };

  beforeAll(async () => {
    es = await generateKeyPair('ES256');
    rs = await generateKeyPair('RS256');
  });

  beforeEach(async () => {
    now = Date.now();
    provider = await fakeProvider();
    provider.keys = [
      { ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256', use: 'sig' },
    ];
  });

  afterEach(() => provider.close());

  it('accepts ES256 and RS256 tokens of its issuer, fetching discovery and keys once', async () => {
    const v = verifier();
    await expect(v.verify(await sign({ name: 'Marco' }))).resolves.toEqual({ id: 'u-1', roles: ['manager'], name: 'Marco' });
    await expect(v.verify(await sign({}, { alg: 'RS256' }))).resolves.toMatchObject({ id: 'u-1' });
    expect(provider.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('allows a little clock skew on exp and nbf, and no more', async () => {
    const v = verifier();
    const token = await sign();
    now += 600_000 + 20_000;
    await expect(v.verify(token)).resolves.toMatchObject({ id: 'u-1' });
    now += 20_000;
    expect(await rejection(v.verify(token))).toEqual(new OidcTokenRejected('the token has expired (exp)'));
    now = Date.now();
    await expect(v.verify(await sign({ nbf: Math.floor(now / 1000) + 20 }))).resolves.toMatchObject({ id: 'u-1' });
    expect(await rejection(v.verify(await sign({ nbf: Math.floor(now / 1000) + 120 })))).toBeInstanceOf(OidcTokenRejected);
  });

  it('refuses another issuer before asking the provider for anything', async () => {
    const token = await new SignJWT({ sub: 'u-1', roles: ['admin'] }).setProtectedHeader({ alg: 'ES256', kid: 'x' }).setIssuer('https://other.example.com').setAudience(AUDIENCE).setExpirationTime('5m').sign(es.privateKey);
    const error = await rejection(verifier().verify(token));
    expect(error).toBeInstanceOf(OidcTokenRejected);
    expect(error.message).toMatch(/issuer/);
    expect(provider.requests).toEqual({ discovery: 0, jwks: 0 });
  });

  it.each([
    ['another audience', async () => sign({ aud: 'billing' }), /aud/],
    ['no expiry', async () => new SignJWT({ sub: 'u-1', roles: [] }).setProtectedHeader({ alg: 'ES256', kid: 'es' }).setIssuer(provider.issuer).setAudience(AUDIENCE).sign(es.privateKey), /exp/],
    ['no subject', async () => sign({ sub: undefined }), /sub/],
    ['a lifetime over the policy', async () => sign({}, { lifetimeS: 7200 }), /longest lifetime/],
    ['a key the provider does not publish', async () => sign({}, { key: (await generateKeyPair('ES256')).privateKey, kid: 'es' }), /signature/],
    ['an unknown key id', async () => sign({}, { kid: 'rotated-away' }), /does not publish/],
    ['roles that are not a list', async () => sign({ roles: { admin: true } }), /not a list/],
  ])('refuses a token with %s (401, not 503)', async (_what, token, why) => {
    const error = await rejection(verifier().verify(await token()));
    expect(error).toBeInstanceOf(OidcTokenRejected);
    expect(error.message).toMatch(why);
  });

  it('refuses HS256 signed with the public key as the secret, and alg none (algorithm confusion)', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(rs.publicKey));
    const hs = await sign({ roles: ['admin'] }, { alg: 'HS256', key: publicPem, kid: 'rs' });
    expect((await rejection(verifier().verify(hs))).message).toMatch(/algorithm/);
    const [, payload] = (await sign({ roles: ['admin'] })).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'es' })).toString('base64url')}.${payload}.`;
    expect(await rejection(verifier().verify(none))).toBeInstanceOf(OidcTokenRejected);
  });

  it('does not ask for the keys again for each unknown key id within the cooldown', async () => {
    const v = verifier();
    await v.verify(await sign());
    for (let i = 0; i < 5; i += 1) expect(await rejection(v.verify(await sign({}, { kid: `unknown-${i}` })))).toBeInstanceOf(OidcTokenRejected);
    expect(provider.requests.jwks).toBeLessThanOrEqual(2);
  });

  it('is unavailable (503) while the provider is down, asks again only after Retry-After, and recovers', async () => {
    provider.mode = 'down';
    const v = verifier({ retryAfterS: 5 });
    const token = await sign();
    const error = await rejection(v.verify(token));
    expect(error).toBeInstanceOf(OidcProviderUnavailable);
    expect((error as OidcProviderUnavailable).retryAfterS).toBe(5);
    expect(await rejection(v.verify(token))).toBeInstanceOf(OidcProviderUnavailable);
    expect(provider.requests.discovery).toBe(1);
    provider.mode = 'ok';
    now += 5_001;
    await expect(v.verify(token)).resolves.toMatchObject({ id: 'u-1' });
  });

  it('gives up on a provider that does not answer within the timeout', async () => {
    provider.mode = 'hang';
    const started = Date.now();
    expect(await rejection(verifier({ timeoutMs: 300 }).verify(await sign()))).toBeInstanceOf(OidcProviderUnavailable);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not use a discovery document that names another issuer', async () => {
    provider.mode = 'other-issuer';
    const error = await rejection(verifier().verify(await sign()));
    expect(error).toBeInstanceOf(OidcProviderUnavailable);
    expect(error.message).toMatch(/another issuer/);
  });

  it('keeps serving from cached keys while the provider is away', async () => {
    const v = verifier();
    await v.verify(await sign());
    provider.mode = 'down';
    await expect(v.verify(await sign({ name: 'again' }))).resolves.toMatchObject({ name: 'again' });
  });
});
