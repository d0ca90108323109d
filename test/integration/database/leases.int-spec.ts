import { assertLeaseHeld, LEASE_MIGRATIONS, LeaseLostError, Leases, migrate, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { describeWithPostgres, openTestSchema } from '../../support/postgres';

const TTL = 5_000;

/** Ages every lease by `ms`, as the server's clock passing would: the tests never sleep for an expiry. */
const age = (db: SqlDatabase, ms: number) => db.query(`UPDATE leases SET expires_at = expires_at - $1 * interval '1 millisecond'`, [ms]);

function leaseSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>): void {
  let db: SqlDatabase;
  let close: () => Promise<void>;
  let leases: Leases;
  let n = 0;
  const name = () => `work-${++n}`;

  beforeAll(async () => {
    ({ db, close } = await open());
    await migrate(db, 'leases', LEASE_MIGRATIONS);
    leases = new Leases(db);
  });
  afterAll(() => close?.());

  it('lets one holder take a free lease, and nobody else while it runs', async () => {
    const work = name();
    const first = await leases.tryAcquire(work, 'replica-a', TTL);
    expect(first).toMatchObject({ name: work, holder: 'replica-a', token: 1 });
    expect(await leases.tryAcquire(work, 'replica-b', TTL)).toBeNull();
    expect(await leases.tryAcquire(work, 'replica-a', TTL)).toBeNull();
    expect(await leases.holder(work)).toMatchObject({ holder: 'replica-a', token: 1 });
  });

  it('hands an expired lease to the next holder with a new token, and the old holder cannot renew it', async () => {
    const work = name();
    const old = (await leases.tryAcquire(work, 'replica-a', TTL))!;
    await age(db, TTL + 1);
    const next = await leases.tryAcquire(work, 'replica-b', TTL);
    expect(next).toMatchObject({ holder: 'replica-b', token: 2 });
    expect(await leases.renew(old, TTL)).toBeNull();
    expect(await leases.renew(next!, TTL)).toMatchObject({ holder: 'replica-b', token: 2 });
  });

  it('renews an expired lease nobody took: its token is unchanged, so nobody else wrote under it', async () => {
    const work = name();
    const lease = (await leases.tryAcquire(work, 'replica-a', TTL))!;
    await age(db, TTL + 1);
    const renewed = await leases.renew(lease, TTL);
    expect(renewed).toMatchObject({ token: 1 });
    expect(renewed!.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime() - TTL);
  });

  it('fences a late write: after a takeover the old leader is refused inside its transaction and nothing it wrote stays', async () => {
    const work = name();
    await db.query('CREATE TABLE IF NOT EXISTS fenced_writes (work text, writer text)');
    const old = (await leases.tryAcquire(work, 'replica-a', TTL))!;
    const write = (lease: typeof old) =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO fenced_writes VALUES ($1, $2)', [work, lease.holder]);
        await assertLeaseHeld(tx, lease);
      });
    await write(old);
    await age(db, TTL + 1);
    const next = (await leases.tryAcquire(work, 'replica-b', TTL))!;
    await expect(write(old)).rejects.toBeInstanceOf(LeaseLostError);
    await write(next);
    const { rows } = await db.query<{ writer: string }>('SELECT writer FROM fenced_writes WHERE work = $1', [work]);
    expect(rows.map((r) => r.writer)).toEqual(['replica-a', 'replica-b']);
  });

  it('refuses a write under a lease that ran out even before anyone took it over', async () => {
    const work = name();
    const lease = (await leases.tryAcquire(work, 'replica-a', TTL))!;
    await age(db, TTL + 1);
    await expect(db.transaction((tx) => assertLeaseHeld(tx, lease))).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('lets the next holder in at once after a release (graceful handover)', async () => {
    const work = name();
    const lease = (await leases.tryAcquire(work, 'replica-a', TTL))!;
    expect(await leases.release(lease)).toBe(true);
    expect(await leases.holder(work)).toBeNull();
    expect(await leases.tryAcquire(work, 'replica-b', TTL)).toMatchObject({ token: 2 });
    expect(await leases.release(lease)).toBe(false);
  });
}

describe('leases on PGlite', () => {
  leaseSuite(async () => {
    const db = await PgliteDatabase.open();
    return { db, close: () => db.close() };
  });
});

describeWithPostgres('leases on PostgreSQL', () => {
  leaseSuite(async () => {
    const schema = await openTestSchema('lease');
    return { db: schema.db, close: schema.drop };
  });

  it('gives a contested lease to exactly one of many replicas asking at once', async () => {
    const schema = await openTestSchema('lease');
    try {
      await migrate(schema.db, 'leases', LEASE_MIGRATIONS);
      const leases = new Leases(schema.db);
      const replicas = Array.from({ length: 12 }, (_, i) => `replica-${i}`);
      const won = (await Promise.all(replicas.map((r) => leases.tryAcquire('contested', r, TTL)))).filter(Boolean);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ token: 1 });
    } finally {
      await schema.drop();
    }
  });
});
