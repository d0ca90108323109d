import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

/** Every refusal is Problem Details with the contract's status; nothing bad becomes a 500. */
describe('bad input over HTTP', () => {
  let t: TestApp;
  let agent: string;
  let manager: string;

  beforeAll(async () => {
    t = await startTestApp();
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
  });
  afterAll(() => t?.close());

  const expectProblem = (result: { status: number; headers: Headers; body: any }, status: number): void => {
    expect(result.status).toBe(status);
    expect(result.headers.get('content-type')).toContain('application/problem+json');
    expect(result.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  };
  const fieldsOf = (body: { errors?: Array<{ field: string }> }): string[] => [...new Set((body.errors ?? []).map((e) => e.field))];

  const newCase = async (): Promise<string> => {
    const { body } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    return body.caseId;
  };

  describe('bodies', () => {
    it('refuses an empty body with Content-Type JSON (400)', async () => {
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw: '' , headers: { 'content-type': 'application/json' } }), 400);
    });

    it('refuses a missing body (400, naming the required fields)', async () => {
      const result = await t.request('POST', '/v1/cases', { token: agent });
      expectProblem(result, 400);
      expect(fieldsOf(result.body)).toEqual(expect.arrayContaining(['customer', 'order', 'amount']));
    });

    it.each(['{"customer":', 'not json', '[1,2', '{"a":1}}'])('refuses malformed JSON %p (400)', async (raw) => {
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw }), 400);
    });

    it('refuses a JSON array or scalar instead of an object (400)', async () => {
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw: '[]' }), 400);
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw: '42' }), 400);
    });

    it('refuses a body over 1 MB (413)', async () => {
      const huge = JSON.stringify({ ...sampleRequest(t.clock.now()), padding: 'x'.repeat(1_100_000) });
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw: huge }), 413);
    });

    it('refuses a body that is not JSON (415)', async () => {
      expectProblem(await t.request('POST', '/v1/cases', { token: agent, raw: 'a=b', headers: { 'content-type': 'text/plain' } }), 415);
    });

    it('refuses unknown fields rather than dropping them (400, naming them)', async () => {
      const body = sampleRequest(t.clock.now(), { discount: 10 });
      (body.customer as Record<string, unknown>).vip = true;
      const result = await t.request('POST', '/v1/cases', { token: agent, body });
      expectProblem(result, 400);
      expect(fieldsOf(result.body)).toEqual(expect.arrayContaining(['discount', 'customer.vip']));
    });
  });

  describe('fields', () => {
    it.each([
      ['a negative amount', { amount: { minor: -5, currency: 'EUR' } }, 'amount.minor'],
      ['a zero amount', { amount: { minor: 0, currency: 'EUR' } }, 'amount.minor'],
      ['a fractional amount', { amount: { minor: 49.9, currency: 'EUR' } }, 'amount.minor'],
      ['an amount as a string', { amount: { minor: '4990', currency: 'EUR' } }, 'amount.minor'],
      ['a bad currency', { amount: { minor: 4990, currency: 'EURO' } }, 'amount.currency'],
      ['an unknown currency', { amount: { minor: 4990, currency: 'XYZ' } }, 'amount.currency'],
      ['a bad e-mail', { customer: { id: 'c1', name: 'A', email: 'nope', locale: 'en' } }, 'customer.email'],
      ['a bad country', { order: { id: 'o1', purchasedAt: '2026-01-01T00:00:00Z', country: 'ITA', paymentMethod: 'card' } }, 'order.country'],
      ['a bad date', { order: { id: 'o1', purchasedAt: '01/02/2026', country: 'IT', paymentMethod: 'card' } }, 'order.purchasedAt'],
      ['an unknown resolution', { requestedResolution: 'cash_and_more' }, 'requestedResolution'],
      ['an unknown channel', { channel: 'pigeon' }, 'channel'],
      ['an evidence link that is not a URL', { evidence: [{ kind: 'photo', uri: 'my photo' }] }, 'evidence.0.uri'],
    ])('refuses %s (400, naming the field)', async (_what, overrides, field) => {
      const result = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), overrides) });
      expectProblem(result, 400);
      expect(fieldsOf(result.body)).toContain(field);
    });

    it('refuses a purchase date in the future (400, from the domain)', async () => {
      const future = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
      const result = await t.request('POST', '/v1/cases', {
        token: agent,
        body: sampleRequest(t.clock.now(), { order: { id: 'o1', purchasedAt: future, country: 'IT', paymentMethod: 'card' } }),
      });
      expectProblem(result, 400);
      expect(fieldsOf(result.body)).toEqual(['order.purchasedAt']);
    });

    it('refuses a partial refund above the amount paid and a decision in another currency (400)', async () => {
      const caseId = await newCase();
      await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
      const above = await t.request('POST', `/v1/cases/${caseId}/decision`, {
        token: manager,
        body: { outcome: 'partial_refund', amount: { minor: 9999, currency: 'EUR' }, rationale: 'r' },
      });
      expectProblem(above, 400);
      expect(fieldsOf(above.body)).toEqual(['amount']);
      const otherCurrency = await t.request('POST', `/v1/cases/${caseId}/decision`, {
        token: manager,
        body: { outcome: 'partial_refund', amount: { minor: 100, currency: 'USD' }, rationale: 'r' },
      });
      expectProblem(otherCurrency, 400);
      expect(fieldsOf(otherCurrency.body)).toEqual(['amount.currency']);
    });

    it('refuses a denial without a rationale (400)', async () => {
      const caseId = await newCase();
      await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
      for (const rationale of [undefined, '', '   ']) {
        const result = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: manager, body: { outcome: 'denied', rationale } });
        expectProblem(result, 400);
        expect(fieldsOf(result.body)).toEqual(['rationale']);
      }
    });

    it('refuses a failed refund report without a reason and a satisfaction out of range (400)', async () => {
      const caseId = await newCase();
      const failed = await t.request('POST', `/v1/cases/${caseId}/refund-execution`, {
        token: agent,
        body: { status: 'failed', method: 'card', amount: { minor: 1, currency: 'EUR' }, reference: 'x' },
      });
      expectProblem(failed, 400);
      expect(fieldsOf(failed.body)).toEqual(['failureReason']);
      const followUp = await t.request('POST', `/v1/cases/${caseId}/follow-up`, { token: agent, body: { satisfaction: 6, channel: 'email' } });
      expectProblem(followUp, 400);
      expect(fieldsOf(followUp.body)).toEqual(['satisfaction']);
    });
  });

  describe('credentials and roles', () => {
    it('refuses a request without a token, with a malformed header, or with a bad token (401)', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer not.a.jwt' }] as Record<string, string>[]) {
        const result = await t.request('GET', '/v1/policy', { headers });
        expectProblem(result, 401);
        expect(result.headers.get('www-authenticate')).toBe('Bearer');
      }
    });

    it('refuses a token signed with another secret, an expired token, or one without sub or roles (401)', async () => {
      const wrongSecret = t.token('x', ['agent'], { secret: 'another-secret-of-enough-length-0123456789' });
      const expired = t.token('x', ['agent'], { expiresIn: '-1s' });
      for (const token of [wrongSecret, expired]) expectProblem(await t.request('GET', '/v1/policy', { token }), 401);
      const { JwtService } = await import('@nestjs/jwt');
      const { TEST_JWT_SECRET } = await import('../support/test-app');
      const jwt = new JwtService({ secret: TEST_JWT_SECRET });
      expectProblem(await t.request('GET', '/v1/policy', { token: jwt.sign({ roles: ['agent'] }) }), 401);
      expectProblem(await t.request('GET', '/v1/policy', { token: jwt.sign({ sub: 'x' }) }), 401);
    });

    it('refuses a token signed with another algorithm (401)', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'] })).toString('base64url');
      expectProblem(await t.request('GET', '/v1/policy', { token: `${header}.${payload}.` }), 401);
    });

    it.each([
      ['POST', '/v1/cases', ['auditor', 'manager', 'admin']],
      ['PUT', '/v1/policy', ['agent', 'manager', 'auditor', 'service']],
      ['GET', '/v1/cases/00000000-0000-0000-0000-000000000000', ['service', 'admin']],
    ])('refuses %s %s for the wrong roles (403)', async (method, path, roles) => {
      for (const role of roles as string[]) {
        const result = await t.request(method, path, { token: t.token(`u_${role}`, [role as never]), body: method === 'GET' ? undefined : {} });
        expectProblem(result, 403);
      }
    });

    it('refuses an agent deciding an escalated exception (403, authority)', async () => {
      const caseId = await newCase();
      await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
      const result = await t.request('POST', `/v1/cases/${caseId}/decision`, { token: agent, body: { outcome: 'store_credit', rationale: 'goodwill' } });
      expectProblem(result, 403);
      expect(result.body.type).toContain('insufficient-authority');
    });
  });

  describe('cases and state', () => {
    it('answers 404 for an unknown case, on reads and commands, and for ids that cannot be case ids', async () => {
      expectProblem(await t.request('GET', '/v1/cases/00000000-0000-0000-0000-000000000000', { token: agent }), 404);
      expectProblem(await t.request('POST', '/v1/cases/nope/notes', { token: agent, body: { text: 'x' } }), 404);
      expectProblem(await t.request('GET', `/v1/cases/${encodeURIComponent('../../etc/passwd')}`, { token: agent }), 404);
      expectProblem(await t.request('GET', '/v1/nothing-here', { token: agent }), 404);
    });

    it('refuses an illegal transition with 409 and says why', async () => {
      const caseId = await newCase();
      const result = await t.request('POST', `/v1/cases/${caseId}/follow-up`, { token: agent, body: { satisfaction: 5, channel: 'email' } });
      expectProblem(result, 409);
      expect(result.body.detail).toContain('no decision');
      const notify = await t.request('POST', `/v1/cases/${caseId}/communications`, { token: agent, body: { channel: 'email' } });
      expectProblem(notify, 409);
    });

    it('refuses a stale If-Match with 412 and the current version, and a malformed one with 400', async () => {
      const caseId = await newCase();
      await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'first' }, headers: { 'if-match': '"1"' } });
      const stale = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'second' }, headers: { 'if-match': '"1"' } });
      expectProblem(stale, 412);
      expect(stale.body.currentVersion).toBe(2);
      expect(stale.headers.get('etag')).toBe('"2"');
      expectProblem(await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'x' }, headers: { 'if-match': 'yesterday' } }), 400);
      const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
      expect(view.body.notes.map((n: { text: string }) => n.text)).toEqual(['first']);
    });

    it('returns the first answer for a reused Idempotency-Key with the same body, and 409 with another body', async () => {
      const body = sampleRequest(t.clock.now());
      const headers = { 'idempotency-key': `key-${Date.now()}` };
      const first = await t.request('POST', '/v1/cases', { token: agent, body, headers });
      expect(first.status).toBe(201);
      await t.request('POST', `/v1/cases/${first.body.caseId}/notes`, { token: agent, body: { text: 'moved on' } });
      const again = await t.request('POST', '/v1/cases', { token: agent, body, headers });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const different = await t.request('POST', '/v1/cases', { token: agent, body: { ...body, channel: 'phone' }, headers });
      expectProblem(different, 409);
      expect(different.body.type).toContain('idempotency-key-reused');
      // Another caller's identical key is theirs alone.
      const other = await t.request('POST', '/v1/cases', { token: t.token('agent_bob', ['agent']), body, headers });
      expect(other.status).toBe(201);
      expect(other.body.caseId).not.toBe(first.body.caseId);
      const concurrent = await Promise.all(
        [1, 2, 3, 4].map(() => t.request('POST', '/v1/cases', { token: agent, body, headers: { 'idempotency-key': 'race-key' } })),
      );
      expect(new Set(concurrent.map((r) => r.status))).toEqual(new Set([201]));
      expect(new Set(concurrent.map((r) => r.body.caseId)).size).toBe(1);
    });

    it('refuses a malformed Idempotency-Key (400)', async () => {
      const result = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()), headers: { 'idempotency-key': 'x'.repeat(300) } });
      expectProblem(result, 400);
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a caller exceeds the limit', async () => {
      const limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
      try {
        const token = limited.token('busy', ['agent']);
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await limited.request('GET', '/v1/policy', { token })).status);
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        const refused = await limited.request('GET', '/v1/policy', { token });
        expectProblem(refused, 429);
        expect(refused.headers.get('retry-after')).toBeTruthy();
        expect((await limited.request('GET', '/v1/policy', { token: limited.token('calm', ['agent']) })).status).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });
});
