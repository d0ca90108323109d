import { randomUUID } from 'node:crypto';
import { EventStore, RecordedEvent } from '@refund-desk/event-store';
import { caseEventMessage } from '@refund-desk/messaging';
import { schemaErrors } from '@refund-desk/messaging/testing';
import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp, waitForProjections } from '../support/test-app';

/**
 * Issue 11, finding 6: a customer's name typed by staff into free text (a note, an escalation
 * reason, a decision's rationale and legal basis, why a refund failed, the closing summary) is
 * personal data like the customer's own words: sealed in the log, absent from read models and
 * outbound messages, and "[erased]" everywhere once the customer is erased.
 */
function erasureSuite(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let auditor: string;
  let admin: string;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    auditor = t.token('aud_alice', ['auditor']);
    admin = t.token('adm_ada', ['admin']);
    service = t.token('svc_pay', ['service']);
  }, 120_000);
  afterAll(() => t?.close());

  async function ok(method: string, path: string, token: string, body?: unknown) {
    const result = await t.request(method, path, { token, body });
    expect([path, result.status]).toEqual([path, method === 'POST' && path === '/v1/cases' ? 201 : 200]);
    return result;
  }

  /** Every outbound case-event message the forwarder would publish for these streams. */
  async function outbound(streams: readonly string[]): Promise<string[]> {
    const events: RecordedEvent[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await t.app.get(EventStore).readAll({ after, limit: 500 });
      events.push(...page.events.filter((event) => streams.includes(event.streamId)));
      if (page.events.length < 500) break;
      after = page.events[page.events.length - 1].checkpoint;
    }
    return events.map((event) => {
      const value = String(caseEventMessage(event).value);
      expect([event.type, schemaErrors('case-event.v1', JSON.parse(value))]).toEqual([event.type, null]);
      return value;
    });
  }

  it('seals what staff typed about the customer, keeps it out of read models and messages, and erases it', async () => {
    const suffix = randomUUID().slice(0, 6);
    const customer = { id: `cus_ft_${suffix}`, name: 'Wilhelmina Okonkwo', email: `wilhelmina.${suffix}@example.org`, locale: 'en' };
    const secrets = ['Wilhelmina', 'Okonkwo'];
    const said = (what: string) => `${what}: Wilhelmina Okonkwo`;

    // Case A: out of policy, escalated automatically, decided, the refund fails once, then settles, closed.
    const a = (await ok('POST', '/v1/cases', agent, sampleRequest(t.clock.now(), { customer, reason: { code: 'defective', description: 'It stopped' } }))).body.caseId as string;
    await ok('POST', `/v1/cases/${a}/notes`, agent, { text: said('called back') });
    await ok('POST', `/v1/cases/${a}/evaluation`, agent);
    await ok('POST', `/v1/cases/${a}/decision`, manager, { outcome: 'refund', rationale: said('long-standing customer'), legalBasis: said('goodwill for') });
    await ok('POST', `/v1/cases/${a}/communications`, agent, { channel: 'email' });
    const money = { method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay-${a}` };
    await ok('POST', `/v1/cases/${a}/refund-execution`, service, { status: 'failed', ...money, failureReason: said('card closed for') });
    await ok('POST', `/v1/cases/${a}/refund-execution`, service, { status: 'issued', ...money });
    await ok('POST', `/v1/cases/${a}/refund-execution`, service, { status: 'settled', ...money });
    const closed = await ok('POST', `/v1/cases/${a}/closure`, agent, { summary: said('settled with') });

    // Case B: within policy, escalated by hand with a reason that names her.
    const recent = new Date(t.clock.now().getTime() - 3 * 86_400_000).toISOString();
    const b = (await ok('POST', '/v1/cases', agent, sampleRequest(t.clock.now(), { customer, order: { id: 'ord_2', purchasedAt: recent, country: 'IT', paymentMethod: 'card' } }))).body.caseId as string;
    const evaluated = await ok('POST', `/v1/cases/${b}/evaluation`, agent);
    expect(evaluated.body.status).toBe('evaluated');
    const escalated = await ok('POST', `/v1/cases/${b}/escalation`, agent, { reason: said('asked for a manager'), priority: 'normal' });

    // Before erasure: readable to staff, sealed in the log, absent from read models and messages.
    const view = (await ok('GET', `/v1/cases/${a}`, agent)).body;
    expect(view.decision).toMatchObject({ rationale: said('long-standing customer'), legalBasis: said('goodwill for') });
    expect(JSON.stringify(view)).toContain(said('settled with'));
    expect(JSON.stringify(view)).toContain(said('card closed for'));
    expect((await ok('GET', `/v1/cases/${b}`, agent)).body.escalation.reason).toBe(said('asked for a manager'));
    const stored = await t.db.query<{ row: string }>('SELECT t::text AS row FROM events t WHERE stream_id = ANY($1::text[])', [[`refundCase-${a}`, `refundCase-${b}`]]);
    for (const secret of secrets) expect(stored.rows.map((r) => r.row).join('\n')).not.toContain(secret);
    for (const message of await outbound([`refundCase-${a}`, `refundCase-${b}`])) for (const secret of secrets) expect(message).not.toContain(secret);

    await ok('POST', `/v1/customers/${customer.id}/erasure`, admin);
    const position = Math.max(closed.body.position ?? 0, escalated.body.position ?? 0);
    await waitForProjections(t);

    const answers = [
      await ok('GET', `/v1/cases/${a}`, agent),
      await ok('GET', `/v1/cases/${b}`, agent),
      await ok('GET', `/v1/audit/cases/${a}/events`, auditor),
      await ok('GET', `/v1/audit/cases/${b}/events`, auditor),
      await ok('GET', `/v1/audit/cases/${a}/state?version=11`, auditor),
      await ok('GET', `/v1/audit/events`, auditor),
      await ok('GET', `/v1/audit/events?form=stored`, auditor),
      await ok('GET', `/v1/customers/${customer.id}/timeline?minPosition=${position}`, agent),
      await ok('GET', `/v1/queues/manager?customerId=${customer.id}`, manager),
      await ok('GET', `/v1/queues/follow-up?customerId=${customer.id}`, agent),
    ];
    for (const answer of answers) for (const secret of secrets) expect(answer.text).not.toContain(secret);
    const after = answers[0].body;
    expect(after.decision).toMatchObject({ rationale: '[erased]', legalBasis: '[erased]' });
    expect(after.closure).toMatchObject({ summary: '[erased]' });
    expect(JSON.stringify(after.refund)).toContain('[erased]');
    expect(answers[1].body.escalation.reason).toBe('[erased]');
    expect(answers[7].body.items.length).toBeGreaterThanOrEqual(15);
    for (const message of await outbound([`refundCase-${a}`, `refundCase-${b}`])) for (const secret of secrets) expect(message).not.toContain(secret);

    // A pg_dump-like scan of every table: no plaintext of her left anywhere.
    const tables = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = current_schema()`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['events']));
    expect(tables.rows.some((r) => r.table_name.startsWith('rm_customer_timeline'))).toBe(true);
    for (const { table_name } of tables.rows) {
      const dump = await t.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      const text = dump.rows.map((r) => r.row).join('\n');
      for (const secret of secrets) expect([table_name, text.includes(secret)]).toEqual([table_name, false]);
    }

    for (const caseId of [a, b]) expect((await ok('GET', `/v1/audit/cases/${caseId}/verification`, auditor)).body.valid).toBe(true);
  }, 240_000);
}

describe('erasure of free text on embedded PGlite', () => erasureSuite('pglite'));
describeWithPostgres('erasure of free text on PostgreSQL', () => erasureSuite('postgres'));
