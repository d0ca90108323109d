import { JwtService } from '@nestjs/jwt';
import { HttpResult, startTestApp, TestApp } from '../support/test-app';

/** Rate limits over HTTP on the running app (issue 11, finding 7). */

// Several tests start an app of their own with particular limits, which takes a while on a busy machine.
jest.setTimeout(180_000);

function expect429(result: HttpResult): number {
  expect(result.status).toBe(429);
  expect(result.headers.get('content-type')).toContain('application/problem+json');
  expect(result.body).toMatchObject({ status: 429, type: expect.stringContaining('rate-limited') });
  expect(result.headers.get('x-content-type-options')).toBe('nosniff');
  const retryAfter = Number(result.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(120);
  return retryAfter;
}

const statusesOf = (results: HttpResult[]): number[] => results.map((r) => r.status);

describe('rate limits (e2e)', () => {
  describe('per token subject, across every route', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '4' } });
    });
    afterAll(() => t.close());

    it('spends one budget whichever route the subject calls, and leaves other subjects alone', async () => {
      const token = t.token('busy_agent', ['agent']);
      const routes = ['/v1/policy', '/v1/queues/follow-up', '/v1/cases/00000000-0000-0000-0000-000000000000', '/v1/policy', '/v1/queues/follow-up', '/v1/policy'];
      const results: HttpResult[] = [];
      for (const path of routes) results.push(await t.request('GET', path, { token }));
      expect(statusesOf(results)).toEqual([200, 200, 404, 200, 429, 429]);
      expect429(results[4]);
      expect(results[0].headers.get('x-ratelimit-limit')).toBe('4');
      expect((await t.request('GET', '/v1/policy', { token: t.token('calm_agent', ['agent']) })).status).toBe(200);
    });

    it('refuses an over-limit subject before verifying its token, and a forged token cannot spend another subject\'s budget', async () => {
      const jwt = t.app.get(JwtService);
      const verify = jest.spyOn(jwt, 'verifyAsync');
      try {
        const forged = (sub: string) => t.token(sub, ['admin'], { secret: 'a-secret-the-service-does-not-know-0123456789' });
        // busy_agent is over its limit (the test above): refused at once, the signature never checked.
        verify.mockClear();
        for (let i = 0; i < 5; i++) expect429(await t.request('GET', '/v1/policy', { token: forged('busy_agent') }));
        expect(verify).not.toHaveBeenCalled();
        // Forged tokens naming another subject are 401s and do not count against that subject.
        for (let i = 0; i < 6; i++) expect((await t.request('GET', '/v1/policy', { token: forged('victim') })).status).toBe(401);
        expect(verify).toHaveBeenCalledTimes(6); // the spy sees the guard's verification
        const victim = t.token('victim', ['agent']);
        const own: number[] = [];
        for (let i = 0; i < 5; i++) own.push((await t.request('GET', '/v1/policy', { token: victim })).status);
        expect(own).toEqual([200, 200, 200, 200, 429]);
      } finally {
        verify.mockRestore();
      }
    });
  });

  describe('per client address, before authentication', () => {
    it('limits requests without a token, with bad tokens, and to public routes alike; X-Forwarded-For is ignored by default', async () => {
      const t = await startTestApp({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '6' } });
      try {
        const results: HttpResult[] = [];
        results.push(await t.request('GET', '/v1/policy'));
        results.push(await t.request('GET', '/v1/policy', { token: 'not.a.jwt' }));
        results.push(await t.request('GET', '/health'));
        results.push(await t.request('GET', '/nothing-here'));
        results.push(await t.request('GET', '/v1/policy', { token: t.token('ann', ['agent']) }));
        results.push(await t.request('GET', '/health', { headers: { 'x-forwarded-for': '203.0.113.1' } }));
        // Over the limit: a new X-Forwarded-For on every request changes nothing without TRUST_PROXY.
        for (let i = 0; i < 4; i++) results.push(await t.request('GET', '/health', { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } }));
        results.push(await t.request('GET', '/v1/policy', { token: t.token('ann', ['agent']) }));
        expect(statusesOf(results)).toEqual([401, 401, 200, 404, 200, 200, 429, 429, 429, 429, 429]);
        for (const refused of results.slice(6)) expect429(refused);
        expect(results[6].body.instance).toBe('/health');
      } finally {
        await t.close();
      }
    });

    it('with TRUST_PROXY naming the proxy, counts each client X-Forwarded-For names; a proxy not named is the client itself', async () => {
      const trusted = await startTestApp({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' } });
      try {
        const from = (client: string) => trusted.request('GET', '/health', { headers: { 'x-forwarded-for': client } });
        expect(statusesOf([await from('203.0.113.7'), await from('203.0.113.7'), await from('203.0.113.7')])).toEqual([200, 200, 429]);
        expect(statusesOf([await from('203.0.113.8'), await from('203.0.113.8')])).toEqual([200, 200]);
        // IPv6 clients are counted per /64: rotating the interface id does not help.
        expect(statusesOf([await from('2001:db8::1'), await from('2001:db8::2'), await from('2001:db8::3')])).toEqual([200, 200, 429]);
      } finally {
        await trusted.close();
      }
      const other = await startTestApp({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2', TRUST_PROXY: '10.0.0.0/8' } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await other.request('GET', '/health', { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })).status);
        expect(statuses).toEqual([200, 200, 429]);
      } finally {
        await other.close();
      }
    });

    it('caps the requests one address has in progress at once, and frees the slot when a request ends or its client goes away', async () => {
      const t = await startTestApp({ env: { RATE_LIMIT_CONCURRENT_PER_ADDRESS: '2', TRUST_PROXY: '127.0.0.1' } });
      try {
        const token = t.token('ann', ['agent']);
        const headers = { 'x-forwarded-for': '203.0.113.20' };
        // A minPosition the read model never reaches holds a request for the whole wait (5 s).
        const slow = () => t.request('GET', '/v1/queues/follow-up?minPosition=999999999', { token, headers });
        const aborted = new AbortController();
        const held = [slow(), fetch(`${t.url}/v1/queues/follow-up?minPosition=999999999`, { headers: { ...headers, authorization: `Bearer ${token}` }, signal: aborted.signal }).catch(() => 'aborted')];
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect429(await t.request('GET', '/health', { headers }));
        expect((await t.request('GET', '/health', { headers: { 'x-forwarded-for': '203.0.113.21' } })).status).toBe(200);
        aborted.abort();
        const deadline = Date.now() + 3_000;
        let status = 0;
        while (Date.now() < deadline && (status = (await t.request('GET', '/health', { headers })).status) !== 200) await new Promise((r) => setTimeout(r, 50));
        expect(status).toBe(200);
        expect(((await held[0]) as HttpResult).status).toBe(200);
        expect(await held[1]).toBe('aborted');
      } finally {
        await t.close();
      }
    });

    it('refuses an address that keeps failing authentication, before its tokens are verified', async () => {
      const t = await startTestApp({ env: { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5', TRUST_PROXY: '127.0.0.1' } });
      const verify = jest.spyOn(t.app.get(JwtService), 'verifyAsync');
      try {
        const attacker = { 'x-forwarded-for': '203.0.113.66' };
        const bad = t.token('mallory', ['admin'], { secret: 'a-secret-the-service-does-not-know-0123456789' });
        const first: number[] = [];
        for (let i = 0; i < 5; i++) first.push((await t.request('GET', '/v1/policy', { token: bad, headers: attacker })).status);
        expect(first).toEqual([401, 401, 401, 401, 401]);
        expect(verify).toHaveBeenCalledTimes(5);
        verify.mockClear();
        for (let i = 0; i < 20; i++) expect429(await t.request('GET', '/v1/policy', { token: bad, headers: attacker }));
        expect429(await t.request('GET', '/v1/policy', { headers: attacker }));
        expect(verify).not.toHaveBeenCalled();
        // Another client is not affected.
        expect((await t.request('GET', '/v1/policy', { token: t.token('ann', ['agent']), headers: { 'x-forwarded-for': '203.0.113.67' } })).status).toBe(200);
      } finally {
        verify.mockRestore();
        await t.close();
      }
    });
  });
});

describe('token policy (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_MAX_TOKEN_LIFETIME_S: '3600', AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'refund-desk' } });
  });
  afterAll(() => t.close());

  const detailOf = async (token: string): Promise<string> => {
    const result = await t.request('GET', '/v1/policy', { token });
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe('Bearer');
    return result.body.detail as string;
  };

  it('accepts a token that expires within the lifetime, from the configured issuer for the configured audience', async () => {
    expect((await t.request('GET', '/v1/policy', { token: t.token('ann', ['agent'], { expiresIn: 3_600 }) })).status).toBe(200);
    const listed = t.token('ann', ['agent'], { claims: { aud: ['billing', 'refund-desk'] } });
    expect((await t.request('GET', '/v1/policy', { token: listed })).status).toBe(200);
  });

  it('refuses a token without exp, or one that lives longer than AUTH_MAX_TOKEN_LIFETIME_S', async () => {
    expect(await detailOf(t.token('ann', ['agent'], { expiresIn: null }))).toContain('exp');
    expect(await detailOf(t.token('ann', ['agent'], { expiresIn: 3_601 + 60 }))).toContain('3600');
    const now = Math.floor(Date.now() / 1000);
    expect(await detailOf(t.token('ann', ['agent'], { expiresIn: null, claims: { iat: now - 86_400, exp: now + 60 } }))).toContain('exp − iat');
  });

  it('refuses another issuer or audience, or none', async () => {
    expect(await detailOf(t.token('ann', ['agent'], { claims: { iss: 'https://evil.example.com' } }))).toContain('iss');
    expect(await detailOf(t.token('ann', ['agent'], { claims: { aud: 'billing' } }))).toContain('aud');
    const bare = new JwtService({ secret: 'test-secret-that-is-long-enough-for-hs256-0123456789' }).sign({ sub: 'ann', roles: ['agent'] }, { expiresIn: 60 });
    expect(await detailOf(bare)).toContain('iss');
  });
});
