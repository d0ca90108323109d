import { randomBytes, randomUUID } from 'node:crypto';
import { migrate, PgliteDatabase } from '@refund-desk/database';
import { ERASED } from '@refund-desk/domain';
import { DamagedEventError, EVENT_LOG_MIGRATIONS, NewEvent, PostgresEventStore } from '@refund-desk/event-store';
import { CUSTOMER_KEY_MIGRATIONS, CustomerKeyStore, MasterKeyMismatchError } from './customer-key-store';
import { PersonalDataProtectingEventStore } from './personal-data-protecting-event-store';

const requestLogged = (customerId: string, name: string): NewEvent => ({
  eventId: randomUUID(),
  type: 'RequestLogged',
  data: { caseId: 'c1', customer: { id: customerId, name, email: `${name}@example.com`, locale: 'en' }, reason: { code: 'defective', description: `${name}'s words` }, amount: { minor: 100, currency: 'EUR' } },
  metadata: { actor: 'agent', occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, customerId },
});

describe('PersonalDataProtectingEventStore', () => {
  let db: PgliteDatabase;
  let log: PostgresEventStore;
  let keys: CustomerKeyStore;
  let store: PersonalDataProtectingEventStore;
  const master = randomBytes(32);

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    await migrate(db, 'data-protection', CUSTOMER_KEY_MIGRATIONS);
    log = new PostgresEventStore(db);
    keys = new CustomerKeyStore(db, master);
    await keys.verifyMasterKey();
    store = new PersonalDataProtectingEventStore(log, keys);
  });
  afterAll(() => db.close());

  it('stores personal fields sealed and reads them back open; other fields stay as they are', async () => {
    await store.append('refundCase-p1', [requestLogged('cus_a', 'alice')], { expectedVersion: 0 });
    const [raw] = await log.readStream('refundCase-p1');
    const rawText = JSON.stringify(raw.data);
    expect(rawText).not.toContain('alice');
    expect((raw.data as any).customer.id).toBe('cus_a');
    expect((raw.data as any).amount).toEqual({ minor: 100, currency: 'EUR' });
    const [open] = await store.readStream('refundCase-p1');
    expect((open.data as any).customer).toMatchObject({ name: 'alice', email: 'alice@example.com' });
    expect((open.data as any).reason.description).toBe("alice's words");
    expect(open.metadata.hash).toBe(raw.metadata.hash);
  });

  it('reads an erased customer as "[erased]" everywhere, leaves others readable, and seals new data under a new key', async () => {
    await store.append('refundCase-p2', [requestLogged('cus_b', 'bob')], { expectedVersion: 0 });
    await store.append('refundCase-p3', [requestLogged('cus_c', 'carol')], { expectedVersion: 0 });
    expect(await keys.erase('cus_b')).toBe(1);
    expect(await keys.erase('cus_b')).toBe(0);
    const [bob] = await store.readStream('refundCase-p2');
    expect((bob.data as any).customer).toMatchObject({ id: 'cus_b', name: ERASED, email: ERASED });
    const all = await store.readAll({ limit: 100 });
    const carol = all.events.find((e) => e.streamId === 'refundCase-p3')!;
    expect((carol.data as any).customer.name).toBe('carol');
    await store.append('refundCase-p4', [requestLogged('cus_b', 'bobby')], { expectedVersion: 0 });
    expect(((await store.readStream('refundCase-p4'))[0].data as any).customer.name).toBe('bobby');
    expect(((await store.readStream('refundCase-p2'))[0].data as any).customer.name).toBe(ERASED);
  });

  it('names an event whose sealed field does not open (changed bytes, a key id never issued), or marks it and goes on', async () => {
    await store.append('refundCase-d1', [requestLogged('cus_d', 'dora')], { expectedVersion: 0 });
    await store.append('refundCase-d2', [requestLogged('cus_e', 'eve')], { expectedVersion: 0 });
    const [stored] = await log.readStream('refundCase-d1');
    const name = (stored.data as any).customer.name as string;
    const at = name.length - 5;
    const changed = `${name.slice(0, at)}${name[at] === 'A' ? 'B' : 'A'}${name.slice(at + 1)}`;
    await db.query(`UPDATE events SET data = jsonb_set(data, '{customer,name}', to_jsonb($2::text)) WHERE stream_id = $1`, ['refundCase-d1', changed]);
    await expect(store.readStream('refundCase-d1')).rejects.toMatchObject({
      constructor: DamagedEventError,
      streamId: 'refundCase-d1',
      event: { version: 1, eventId: stored.eventId, type: 'RequestLogged' },
      reason: 'unreadable_personal_data',
    });
    await expect(store.readStream('refundCase-d1', { integrity: 'verify' })).rejects.toMatchObject({ constructor: DamagedEventError, reason: 'hash_mismatch' });
    const [marked] = await store.readStream('refundCase-d1', { integrity: 'mark' });
    expect(marked.damage).toMatchObject({ reason: 'unreadable_personal_data', fields: ['customer.name'] });
    expect((marked.data as any).customer).toMatchObject({ name: null, email: 'dora@example.com' });
    const page = await store.readAll({ limit: 1000 });
    expect(page.events.filter((e) => e.damage).map((e) => e.eventId)).toEqual([stored.eventId]);
    expect((page.events.find((e) => e.streamId === 'refundCase-d2')!.data as any).customer.name).toBe('eve');

    // A key id that names no key (not even a UUID) is damage, not erasure, and never a database error.
    const unknownKey = name.replace(/^enc:v1:[^:]+:/, 'enc:v1:not-a-key:');
    await db.query(`UPDATE events SET data = jsonb_set(data, '{customer,name}', to_jsonb($2::text)) WHERE stream_id = $1`, ['refundCase-d1', unknownKey]);
    await expect(store.readStream('refundCase-d1')).rejects.toMatchObject({ reason: 'unreadable_personal_data' });
    await expect(store.readStream('refundCase-d2')).resolves.toHaveLength(1);
  });

  it('refuses to store personal data that names no customer', async () => {
    const orphan = requestLogged('', 'nobody');
    (orphan.data as any).customer.id = undefined;
    await expect(store.append('refundCase-p5', [{ ...orphan, metadata: { ...orphan.metadata, customerId: null } }], { expectedVersion: 0 })).rejects.toThrow(/names no customer/);
  });

  it('refuses a master key other than the one the keys were sealed with', async () => {
    await expect(new CustomerKeyStore(db, randomBytes(32)).verifyMasterKey()).rejects.toBeInstanceOf(MasterKeyMismatchError);
  });
});
