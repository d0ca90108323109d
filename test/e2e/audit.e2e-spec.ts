import { toCaseView } from '@refund-desk/case-handling';
import { CaseEvent, evolve, ExistingCase, initialCaseState } from '@refund-desk/domain';
import { SealedEventLog } from '@refund-desk/event-store';
import { describeWithPostgres, untilAllVisible } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

function auditSuite(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let auditor: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    auditor = t.token('aud_alice', ['auditor']);
    admin = t.token('adm_ada', ['admin']);
  });
  afterAll(() => t?.close());

  /** A case through decision, refund and follow-up: 9 events, with personal data in several. */
  async function generateCase(
    customer = { id: `cus_${Math.random().toString(36).slice(2, 9)}`, name: 'Giulia Bianchi', email: 'giulia@example.com', phone: '+39 06 1234567', locale: 'it' },
    words = 'Giulia says the kettle sparked',
  ): Promise<string> {
    const { body } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), { customer, reason: { code: 'defective', description: words } }) });
    const id = body.caseId as string;
    const steps: Array<[string, string, unknown]> = [
      [agent, 'notes', { text: `${customer.name} called twice` }],
      [agent, 'evaluation', undefined],
      [manager, 'decision', { outcome: 'refund', rationale: 'Safety first' }],
      [agent, 'communications', { channel: 'email' }],
      [t.token('svc_pay', ['service']), 'refund-execution', { status: 'issued', method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay-${id}` }],
      [t.token('svc_pay', ['service']), 'refund-execution', { status: 'settled', method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay-${id}` }],
      [agent, 'follow-up', { satisfaction: 5, comment: `${customer.name} here, all good`, channel: 'email' }],
    ];
    for (const [token, route, payload] of steps) {
      const result = await t.request('POST', `/v1/cases/${id}/${route}`, { token, body: payload });
      expect([route, result.status]).toEqual([route, 200]);
    }
    return id;
  }

  it('shows every event of a case with its metadata and hash chain', async () => {
    const caseId = await generateCase();
    const { status, body } = await t.request('GET', `/v1/audit/cases/${caseId}/events`, { token: auditor });
    expect(status).toBe(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'RequestLogged', 'NoteAdded', 'PolicyEvaluated', 'Escalated', 'Decided', 'CustomerNotified', 'RefundIssued', 'RefundSettled', 'FollowedUp',
    ]);
    body.events.forEach((event: Record<string, unknown>, i: number) => {
      expect(event).toMatchObject({
        version: i + 1,
        position: expect.any(Number),
        actor: expect.any(String),
        occurredAt: expect.any(String),
        recordedAt: expect.any(String),
        correlationId: expect.any(String),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      if (i > 0) expect(event.prevHash).toBe(body.events[i - 1].hash);
    });
    expect(body.events[0].data.customer.name).toBe('Giulia Bianchi');
  });

  it('verifies an untouched chain, and finds exactly the event altered directly in SQL', async () => {
    const caseId = await generateCase();
    const ok = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(ok.body).toEqual({ caseId, valid: true, events: 9, headHash: expect.any(String), hashVersions: { 2: 9 } });

    await t.db.query(
      `UPDATE events SET data = jsonb_set(data, '{outcome}', '"denied"') WHERE stream_id = $1 AND stream_version = 5`,
      [`refundCase-${caseId}`],
    );
    const broken = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ valid: false, brokenAt: { version: 5, type: 'Decided', reason: 'hash_mismatch' } });

    const other = await generateCase();
    await t.db.query(`UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"someone_else"') WHERE stream_id = $1 AND stream_version = 2`, [`refundCase-${other}`]);
    const metadataTampered = await t.request('GET', `/v1/audit/cases/${other}/verification`, { token: auditor });
    expect(metadataTampered.body.brokenAt).toMatchObject({ version: 2, reason: 'hash_mismatch' });
  });

  it('shows the state as of each version and each time, equal to folding the events up to it', async () => {
    const caseId = await generateCase();
    const { body } = await t.request('GET', `/v1/audit/cases/${caseId}/events`, { token: auditor });
    let state = initialCaseState();
    for (const event of body.events) {
      state = evolve(state, { type: event.type, data: event.data } as CaseEvent);
      const expected = JSON.parse(JSON.stringify(toCaseView(state as ExistingCase, event.version, new Date(event.recordedAt))));
      const byVersion = await t.request('GET', `/v1/audit/cases/${caseId}/state?version=${event.version}`, { token: auditor });
      expect(byVersion.status).toBe(200);
      expect(byVersion.body).toMatchObject({ caseId, version: event.version, policyVersionInForce: 1 });
      expect(byVersion.body.state).toEqual(expected);
    }
    // Events appended together share their recorded moment; asOf shows the state after all of them.
    for (const event of body.events) {
      const knownThen = body.events.filter((e: { recordedAt: string }) => e.recordedAt <= event.recordedAt);
      const byTime = await t.request('GET', `/v1/audit/cases/${caseId}/state?asOf=${encodeURIComponent(event.recordedAt)}`, { token: auditor });
      expect(byTime.body.version).toBe(knownThen[knownThen.length - 1].version);
    }
    const before = await t.request('GET', `/v1/audit/cases/${caseId}/state?asOf=2000-01-01T00:00:00Z`, { token: auditor });
    expect(before.status).toBe(400);
    expect((await t.request('GET', `/v1/audit/cases/${caseId}/state?version=99`, { token: auditor })).status).toBe(400);
    expect((await t.request('GET', `/v1/audit/cases/${caseId}/state?version=1&asOf=2026-01-01T00:00:00Z`, { token: auditor })).status).toBe(400);
    expect((await t.request('GET', `/v1/audit/cases/${caseId}/state?version=zero`, { token: auditor })).status).toBe(400);
    expect((await t.request('GET', '/v1/audit/cases/unknown-case/state', { token: auditor })).status).toBe(404);
  });

  it('exports the global log as NDJSON and resumes from a position or a checkpoint', async () => {
    await generateCase();
    // The export reads up to the server-wide read horizon: a suite beside this one holding a
    // transaction id would cut the first export short of an event the second one then sees.
    if (t.db.kind === 'postgres') await untilAllVisible(t.db, t.app.get(SealedEventLog));
    const all = await t.request('GET', '/v1/audit/events', { token: auditor });
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = all.text.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    // The policy and the legal rules are seeded at start, side by side: either may commit first.
    expect(lines.slice(0, 2).map((line) => `${line.streamId}:${line.type}:${line.version}`).sort()).toEqual([
      'legalRules-current:LegalRulesRevised:1',
      'refundPolicy-current:PolicyRevised:1',
    ]);
    const middle = lines[Math.floor(lines.length / 2)];
    const fromPosition = await t.request('GET', `/v1/audit/events?fromPosition=${middle.position}`, { token: auditor });
    const rest = fromPosition.text.trim().split('\n').map((line) => JSON.parse(line).eventId);
    expect(rest).toEqual(lines.slice(Math.floor(lines.length / 2) + 1).map((line) => line.eventId));
    const fromCheckpoint = await t.request('GET', `/v1/audit/events?after=${encodeURIComponent(middle.checkpoint)}&limit=3`, { token: auditor });
    expect(fromCheckpoint.text.trim().split('\n').map((line) => JSON.parse(line).eventId)).toEqual(rest.slice(0, 3));
    const missing = await t.request('GET', '/v1/audit/events?fromPosition=999999999', { token: auditor });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('fromPosition');
    expect((await t.request('GET', '/v1/audit/events?form=pretty', { token: auditor })).status).toBe(400);
  });

  it('erases a customer: no plaintext left in any table or response, the chain still verifies, counts stay', async () => {
    const customer = { id: `cus_erase_${store}`, name: 'Zoltan Quixote', email: 'zoltan.quixote@example.org', phone: '+36 1 555 0199', locale: 'en' };
    const first = await generateCase(customer, 'Zoltan says the toaster hissed');
    const second = await generateCase(customer, 'Zoltan says the toaster hissed');
    const secrets = ['Zoltan', 'Quixote', 'zoltan.quixote@example.org', '555 0199', 'toaster hissed'];

    // Even before erasure the log itself holds only ciphertext for personal fields.
    const stored = await t.db.query<{ data: unknown }>('SELECT data FROM events WHERE stream_id = $1', [`refundCase-${first}`]);
    for (const secret of secrets) expect(JSON.stringify(stored.rows)).not.toContain(secret);

    expect((await t.request('POST', `/v1/customers/${customer.id}/erasure`, { token: manager })).status).toBe(403);
    const erased = await t.request('POST', `/v1/customers/${customer.id}/erasure`, { token: admin });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId: customer.id, keysDestroyed: 1, casesComplete: true });
    expect(erased.body.cases.map((c: { caseId: string }) => c.caseId).sort()).toEqual([first, second].sort());
    const again = await t.request('POST', `/v1/customers/${customer.id}/erasure`, { token: admin });
    expect(again.body).toMatchObject({ keysDestroyed: 0, cases: [{ alreadyErased: true }, { alreadyErased: true }] });

    const responses = [
      await t.request('GET', `/v1/cases/${first}`, { token: agent }),
      await t.request('GET', `/v1/audit/cases/${first}/events`, { token: auditor }),
      await t.request('GET', `/v1/audit/cases/${second}/state?version=3`, { token: auditor }),
      await t.request('GET', '/v1/audit/events', { token: auditor }),
      await t.request('GET', '/v1/audit/events?form=stored', { token: auditor }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      for (const secret of secrets) expect(response.text).not.toContain(secret);
    }
    expect(responses[0].body.request.customer).toMatchObject({ id: customer.id, name: '[erased]', email: '[erased]', phone: '[erased]' });
    expect(responses[0].body.communications[0].body).toBe('[erased]');
    expect(responses[0].body.status).toBe('decided');

    const tables = await t.db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema = current_schema()`,
    );
    expect(tables.rows.length).toBeGreaterThan(3);
    for (const { table_schema, table_name } of tables.rows) {
      const dump = await t.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_schema}"."${table_name}" t`);
      const text = dump.rows.map((r) => r.row).join('\n');
      for (const secret of secrets) expect([table_name, text.includes(secret)]).toEqual([table_name, false]);
    }

    for (const caseId of [first, second]) {
      const verification = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
      expect(verification.body).toMatchObject({ valid: true, events: 10 });
    }
    const events = await t.request('GET', `/v1/audit/cases/${first}/events`, { token: auditor });
    expect(events.body.events[9]).toMatchObject({ type: 'CustomerDataErased', actor: 'adm_ada', data: { customerId: customer.id } });
    const notify = await t.request('POST', `/v1/cases/${first}/communications`, { token: agent, body: { channel: 'email' } });
    expect(notify.status).toBe(409);

    // The customer's history still counts the erased cases.
    const later = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), { customer: { ...customer, name: 'Zed' } }) });
    const evaluated = await t.request('POST', `/v1/cases/${later.body.caseId}/evaluation`, { token: agent });
    expect(evaluated.body.evaluation.inputs.earlierCases).toBe(2);
    expect((await t.request('GET', `/v1/cases/${later.body.caseId}`, { token: agent })).body.request.customer.name).toBe('Zed');
  });

  it('answers every audit route for auditors and admins only, and lets an auditor change nothing', async () => {
    const caseId = await generateCase();
    const routes = [`/v1/audit/cases/${caseId}/events`, `/v1/audit/cases/${caseId}/state`, `/v1/audit/cases/${caseId}/verification`, '/v1/audit/events?limit=1'];
    for (const route of routes) {
      for (const role of ['auditor', 'admin'] as const) expect([route, role, (await t.request('GET', route, { token: t.token(`u_${role}`, [role]) })).status]).toEqual([route, role, 200]);
      for (const role of ['agent', 'manager', 'senior_manager', 'service'] as const) {
        expect([route, role, (await t.request('GET', route, { token: t.token(`u_${role}`, [role]) })).status]).toEqual([route, role, 403]);
      }
    }
    for (const [method, path] of [['POST', `/v1/cases/${caseId}/notes`], ['POST', `/v1/cases/${caseId}/closure`], ['PUT', '/v1/policy'], ['POST', '/v1/cases']]) {
      expect((await t.request(method, path, { token: auditor, body: {} })).status).toBe(403);
    }
  });
}

describe('audit and data protection on embedded PGlite', () => auditSuite('pglite'));
describeWithPostgres('audit and data protection on PostgreSQL', () => auditSuite('postgres'));
