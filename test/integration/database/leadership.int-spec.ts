import { Lease, Leadership, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { describeWithPostgres, openTestSchema } from '../../support/postgres';

const TTL = 600;

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Work that records which replica ran it and for how long it held a term. */
function worker(name: string, log: string[]) {
  return async (lease: Lease, signal: AbortSignal): Promise<void> => {
    log.push(`${name}+${lease.token}`);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    log.push(`${name}-${lease.token}`);
  };
}

function leadershipSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>): void {
  let db: SqlDatabase;
  let close: () => Promise<void>;
  let n = 0;
  const replicas = (count: number) => {
    const name = `singleton-${++n}`;
    return Array.from({ length: count }, (_, i) => new Leadership(db, { name, holder: `replica-${i}`, ttlMs: TTL }));
  };

  beforeAll(async () => {
    ({ db, close } = await open());
    await Leadership.prepare(db);
  });
  afterAll(() => close?.());

  it('runs the work in one replica at a time and hands it over at once on a graceful stop', async () => {
    const [a, b] = replicas(2);
    const log: string[] = [];
    a.start(worker('a', log));
    await until('a to lead', () => a.isLeader);
    b.start(worker('b', log));
    await new Promise((resolve) => setTimeout(resolve, 2 * TTL));
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    const stopped = Date.now();
    await a.stop();
    await until('b to lead', () => b.isLeader);
    // The released lease is taken at b's next check (a third of the TTL), not after the TTL.
    expect(Date.now() - stopped).toBeLessThan(TTL);
    await b.stop();
    expect(log).toEqual(['a+1', 'a-1', 'b+2', 'b-2']);
  });

  it('takes over from a replica that stopped renewing once its lease runs out, and stops the stale work', async () => {
    const [a, b] = replicas(2);
    const log: string[] = [];
    a.start(worker('a', log));
    await until('a to lead', () => a.isLeader);
    // As a frozen process would: its lease ages past the TTL while it does nothing.
    await db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE holder = 'replica-0'`);
    b.start(worker('b', log));
    await until('b to lead', () => b.isLeader);
    // a's next renewal is refused (the token moved): it stands down and its work is stopped.
    await until('a to stand down', () => !a.isLeader);
    expect(log).toContain('a-1');
    await Promise.all([a.stop(), b.stop()]);
    expect(log.filter((entry) => entry.startsWith('b+'))).toEqual(['b+2']);
  });

  it('stands down when the work ends by itself, and leads again later', async () => {
    const [a] = replicas(1);
    let terms = 0;
    a.start(async () => {
      terms += 1;
      if (terms === 1) throw new Error('the work failed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    await until('a second term', () => terms >= 2);
    await a.stop();
    expect(a.terms).toBeGreaterThanOrEqual(2);
  });
}

describe('leadership on PGlite', () => {
  leadershipSuite(async () => {
    const db = await PgliteDatabase.open();
    return { db, close: () => db.close() };
  });
});

describeWithPostgres('leadership on PostgreSQL', () => {
  leadershipSuite(async () => {
    const test = await openTestSchema('leadership');
    return { db: test.db, close: () => test.drop() };
  });
});
