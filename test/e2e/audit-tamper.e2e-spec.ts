import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, hashEvent } from '@refund-desk/event-store';
import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 11, finding 5: every column of the events table, and the sealed bytes of a personal field,
 * altered directly in SQL. Verification must report the change at the exact event (version,
 * position, event id, reason), and readers must answer with a clear problem naming that event,
 * never a 500, while other cases answer as before.
 */
function tamperSuite(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;
  let manager: string;
  let auditor: string;
  let untouched: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
    manager = t.token('mgr_marco', ['manager']);
    auditor = t.token('aud_alice', ['auditor']);
    untouched = await generateCase();
  }, 180_000);
  afterAll(() => t?.close());

  /** v1 RequestLogged, v2 NoteAdded, v3 PolicyEvaluated, v4 Escalated, v5 Decided, v6 CustomerNotified, v7–v8 refund, v9 FollowedUp. */
  async function generateCase(): Promise<string> {
    const customer = { id: `cus_${randomUUID().slice(0, 8)}`, name: 'Giulia Bianchi', email: 'giulia@example.com', locale: 'it' };
    const { body } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now(), { customer }) });
    const id = body.caseId as string;
    const service = t.token('svc_pay', ['service']);
    const steps: Array<[string, string, unknown]> = [
      [agent, 'notes', { text: 'Giulia called twice' }],
      [agent, 'evaluation', undefined],
      [manager, 'decision', { outcome: 'refund', rationale: 'Safety first' }],
      [agent, 'communications', { channel: 'email' }],
      [service, 'refund-execution', { status: 'issued', method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay-${id}` }],
      [service, 'refund-execution', { status: 'settled', method: 'card', amount: { minor: 4990, currency: 'EUR' }, reference: `pay-${id}` }],
      [agent, 'follow-up', { satisfaction: 5, comment: 'all good', channel: 'email' }],
    ];
    for (const [token, route, payload] of steps) {
      const result = await t.request('POST', `/v1/cases/${id}/${route}`, { token, body: payload });
      expect([route, result.status]).toEqual([route, 200]);
    }
    return id;
  }

  const stream = (caseId: string) => `refundCase-${caseId}`;

  async function row(caseId: string, version: number): Promise<{ eventId: string; position: number; recordedAt: string }> {
    const { rows } = await t.db.query<{ event_id: string; global_position: number; recorded_at: Date }>(
      'SELECT event_id::text AS event_id, global_position, recorded_at FROM events WHERE stream_id = $1 AND stream_version = $2',
      [stream(caseId), version],
    );
    expect(rows).toHaveLength(1);
    return { eventId: rows[0].event_id, position: Number(rows[0].global_position), recordedAt: rows[0].recorded_at.toISOString() };
  }

  async function update(sql: string, caseId: string, version: number, ...more: unknown[]): Promise<void> {
    const result = await t.db.query(`UPDATE events SET ${sql} WHERE stream_id = $1 AND stream_version = $2`, [stream(caseId), version, ...more]);
    expect(result.rowCount ?? 1).toBe(1);
  }

  async function expectVerificationAt(caseId: string, brokenAt: Record<string, unknown>): Promise<void> {
    const { status, body } = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(status).toBe(200);
    expect(body).toMatchObject({ caseId, valid: false, brokenAt });
  }

  /** The case, its state and a command answer 409 damaged-event naming the event; the log export and other cases still answer. */
  async function expectReadersName(caseId: string, eventId: string, reason: string): Promise<void> {
    const answers = [
      await t.request('GET', `/v1/cases/${caseId}`, { token: agent }),
      await t.request('GET', `/v1/audit/cases/${caseId}/state?version=1`, { token: auditor }),
      await t.request('GET', `/v1/audit/cases/${caseId}/state?asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: auditor }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(409);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.type).toMatch(/damaged-event$/);
      expect(answer.body.damagedEvent).toMatchObject({ eventId, reason });
      expect(answer.body.detail).toContain(eventId);
    }
    expect((await t.request('GET', `/v1/cases/${untouched}`, { token: agent })).status).toBe(200);
    expect((await t.request('GET', `/v1/audit/cases/${untouched}/verification`, { token: auditor })).body.valid).toBe(true);
    expect((await t.request('GET', '/v1/audit/events?form=readable', { token: auditor })).status).toBe(200);
    expect((await t.request('GET', '/v1/audit/events?form=stored', { token: auditor })).status).toBe(200);
  }

  it('data, metadata, event_id, event_type and schema_version: hash_mismatch at the event', async () => {
    const changes: Array<[string, (caseId: string) => Promise<void>, ((caseId: string) => Promise<string>)?]> = [
      ['data', (c) => update(`data = jsonb_set(data, '{outcome}', '"denied"')`, c, 5)],
      ['metadata', (c) => update(`metadata = jsonb_set(metadata, '{actor}', '"mallory"')`, c, 5)],
      ['event_type', (c) => update(`event_type = 'NoteAdded'`, c, 5)],
      ['schema_version', (c) => update('schema_version = 2', c, 5)],
    ];
    for (const [column, change] of changes) {
      const caseId = await generateCase();
      const { eventId, position } = await row(caseId, 5);
      await change(caseId);
      await expectVerificationAt(caseId, { version: 5, position, eventId, reason: 'hash_mismatch', hashVersion: 2 });
      await expectReadersName(caseId, eventId, 'hash_mismatch').catch((error) => {
        throw new Error(`${column}: ${error}`);
      });
    }
    const caseId = await generateCase();
    const { position } = await row(caseId, 5);
    const newId = randomUUID();
    await update('event_id = $3', caseId, 5, newId);
    await expectVerificationAt(caseId, { version: 5, position, eventId: newId, reason: 'hash_mismatch' });
    await expectReadersName(caseId, newId, 'hash_mismatch');
  }, 240_000);

  it('metadata: an event made to look hashed under the old rule is refused, not verified under it', async () => {
    const caseId = await generateCase();
    const { eventId, position } = await row(caseId, 5);
    await update(`metadata = metadata - 'hashVersion'`, caseId, 5);
    await expectVerificationAt(caseId, { version: 5, position, eventId, reason: 'hash_version_downgrade' });
    await expectReadersName(caseId, eventId, 'hash_version_downgrade');
  }, 120_000);

  it('recorded_at: moved two days (or half a millisecond) breaks the chain, and "as of" answers name the event instead of an earlier state', async () => {
    const caseId = await generateCase();
    const five = await row(caseId, 5);
    const nine = await row(caseId, 9);
    const before = await t.request('GET', `/v1/audit/cases/${caseId}/state?asOf=${encodeURIComponent(nine.recordedAt)}`, { token: auditor });
    expect(before.body).toMatchObject({ version: 9 });
    await update(`recorded_at = recorded_at + interval '2 days'`, caseId, 5);
    await expectVerificationAt(caseId, { version: 5, position: five.position, eventId: five.eventId, reason: 'hash_mismatch', hashVersion: 2 });
    const asOf = await t.request('GET', `/v1/audit/cases/${caseId}/state?asOf=${encodeURIComponent(nine.recordedAt)}`, { token: auditor });
    expect(asOf.status).toBe(409);
    expect(asOf.body.damagedEvent).toMatchObject({ eventId: five.eventId, version: 5 });
    await expectReadersName(caseId, five.eventId, 'hash_mismatch');

    const other = await generateCase();
    const three = await row(other, 3);
    await update(`recorded_at = recorded_at + interval '500 microseconds'`, other, 3);
    await expectVerificationAt(other, { version: 3, position: three.position, eventId: three.eventId, reason: 'hash_mismatch' });
    await expectReadersName(other, three.eventId, 'hash_mismatch');
  }, 120_000);

  it('occurred_at: the column no longer matching the hashed occurredAt is a column_mismatch at the event', async () => {
    const caseId = await generateCase();
    const { eventId, position } = await row(caseId, 5);
    await update(`occurred_at = occurred_at - interval '1 day'`, caseId, 5);
    await expectVerificationAt(caseId, { version: 5, position, eventId, reason: 'column_mismatch', column: 'occurred_at' });
    await expectReadersName(caseId, eventId, 'column_mismatch');
  }, 120_000);

  it('stream_version: an event renumbered is found by the hash it chains from', async () => {
    const caseId = await generateCase();
    const { eventId, position } = await row(caseId, 5);
    await update('stream_version = 50', caseId, 5);
    await expectVerificationAt(caseId, { version: 50, position, eventId, reason: 'version_mismatch', expectedVersion: 5 });
    await expectReadersName(caseId, eventId, 'version_mismatch');
  }, 120_000);

  it('stream_id: an event moved to another stream breaks both: a gap where it was, and a stream that starts at version 5', async () => {
    const caseId = await generateCase();
    const five = await row(caseId, 5);
    const six = await row(caseId, 6);
    const elsewhere = randomUUID();
    await update('stream_id = $3', caseId, 5, stream(elsewhere));
    await expectVerificationAt(elsewhere, { version: 5, position: five.position, eventId: five.eventId, reason: 'version_gap', expectedVersion: 1 });
    await expectVerificationAt(caseId, { version: 6, position: six.position, eventId: six.eventId, reason: 'version_gap', expectedVersion: 5 });
    await expectReadersName(caseId, six.eventId, 'version_gap');
    const moved = await t.request('GET', `/v1/cases/${elsewhere}`, { token: agent });
    expect(moved.status).toBe(409);
    expect(moved.body.damagedEvent).toMatchObject({ caseId: elsewhere, eventId: five.eventId, version: 5 });
  }, 120_000);

  it('global_position (assigned by the database, outside the hash): a position out of the stream order is named', async () => {
    const caseId = await generateCase();
    const { eventId } = await row(caseId, 5);
    // An identity column can only be set to its default: the next value, later than every event.
    await update('global_position = DEFAULT', caseId, 5);
    const { position } = await row(caseId, 5);
    await expectVerificationAt(caseId, { version: 5, position, eventId, reason: 'position_out_of_order' });
    await expectReadersName(caseId, eventId, 'position_out_of_order');
  }, 120_000);

  it('transaction_id (assigned by the database, outside the hash): an event moved in the log order is named', async () => {
    const caseId = await generateCase();
    const { eventId, position } = await row(caseId, 5);
    await t.db.query(
      `UPDATE events SET transaction_id = ((SELECT max(transaction_id::text::bigint) FROM events WHERE stream_id = $1) + 1)::text::xid8
        WHERE stream_id = $1 AND stream_version = 5`,
      [stream(caseId)],
    );
    await expectVerificationAt(caseId, { version: 5, position, eventId, reason: 'log_order_out_of_order' });
    await expectReadersName(caseId, eventId, 'log_order_out_of_order');
  }, 120_000);

  it('sealed bytes: one changed character of ciphertext is reported at the event; reads name it, the audit list and the export mark it and go on', async () => {
    const caseId = await generateCase();
    const { eventId, position } = await row(caseId, 2);
    const { rows } = await t.db.query<{ text: string }>(`SELECT data->>'text' AS text FROM events WHERE stream_id = $1 AND stream_version = 2`, [stream(caseId)]);
    const token = rows[0].text;
    expect(token).toMatch(/^enc:v1:/);
    const at = token.length - 10;
    const flipped = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    await update(`data = jsonb_set(data, '{text}', to_jsonb($3::text))`, caseId, 2, flipped);

    await expectVerificationAt(caseId, { version: 2, position, eventId, reason: 'hash_mismatch' });
    await expectReadersName(caseId, eventId, 'hash_mismatch');

    // A command does not verify the chain (the hot path) but cannot open the field: the same clear answer.
    const note = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'another' } });
    expect(note.status).toBe(409);
    expect(note.body.damagedEvent).toMatchObject({ eventId, reason: 'unreadable_personal_data' });

    const events = await t.request('GET', `/v1/audit/cases/${caseId}/events`, { token: auditor });
    expect(events.status).toBe(200);
    expect(events.body.events).toHaveLength(9);
    expect(events.body.events[1]).toMatchObject({ eventId, data: { text: null }, damage: { reason: 'unreadable_personal_data', fields: ['text'] } });
    expect(events.body.events.filter((e: { damage?: unknown }) => e.damage)).toHaveLength(1);
    expect(events.body.events[0].data.customer.name).toBe('Giulia Bianchi');

    const exported = await t.request('GET', '/v1/audit/events?form=readable', { token: auditor });
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n').map((line) => JSON.parse(line));
    const ofCase = lines.filter((line) => line.streamId === stream(caseId));
    expect(ofCase.map((line) => line.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines.filter((line) => line.damage).map((line) => line.eventId)).toEqual([eventId]);
    expect(ofCase[1].damage).toMatchObject({ reason: 'unreadable_personal_data', fields: ['text'] });
  }, 120_000);

  it('events hashed under the old rule keep verifying, are reported as such, and a stream goes on under the new rule', async () => {
    const caseId = await generateCase();
    // A log written before rule 2: no hashVersion, hashes without the recorded time.
    const { rows } = await t.db.query<{ stream_version: number; event_id: string; event_type: string; schema_version: number; data: Record<string, unknown>; metadata: Record<string, unknown> }>(
      'SELECT stream_version, event_id::text AS event_id, event_type, schema_version, data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [stream(caseId)],
    );
    let previous = GENESIS_HASH;
    for (const r of rows) {
      const { hashVersion: _v, prevHash: _p, hash: _h, ...metadata } = r.metadata;
      const hash = hashEvent(previous, { streamId: stream(caseId), version: r.stream_version, eventId: r.event_id, type: r.event_type, schemaVersion: r.schema_version, data: r.data, metadata: metadata as never });
      await update('metadata = $3::jsonb', caseId, r.stream_version, JSON.stringify({ ...metadata, prevHash: previous, hash }));
      previous = hash;
    }
    let verification = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(verification.body).toMatchObject({ valid: true, events: 9, hashVersions: { 1: 9 } });
    expect(verification.body.hashVersions[2]).toBeUndefined();
    // The documented limit of rule 1: its recorded time is not covered.
    await update(`recorded_at = recorded_at + interval '2 days'`, caseId, 9);
    verification = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(verification.body).toMatchObject({ valid: true, hashVersions: { 1: 9 } });

    // The command reads the stream first, so it chains from the hash as stored now.
    const note = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: 'after the upgrade' } });
    expect(note.status).toBe(200);
    verification = await t.request('GET', `/v1/audit/cases/${caseId}/verification`, { token: auditor });
    expect(verification.body).toMatchObject({ valid: true, events: 10, hashVersions: { 1: 9, 2: 1 } });
    const [newest] = (await t.db.query<{ metadata: { hashVersion?: number } }>('SELECT metadata FROM events WHERE stream_id = $1 AND stream_version = 10', [stream(caseId)])).rows;
    expect(newest.metadata.hashVersion).toBe(2);
    // Never recorded before the event it follows, even one moved into the future.
    expect(Date.parse((await row(caseId, 10)).recordedAt)).toBeGreaterThanOrEqual(Date.parse((await row(caseId, 9)).recordedAt));
  }, 120_000);
}

describe('tamper evidence on embedded PGlite', () => tamperSuite('pglite'));
describeWithPostgres('tamper evidence on PostgreSQL', () => tamperSuite('postgres'));
