import { Migration } from './migrations';
import { SqlDatabase, SqlExecutor } from './sql-database';

/**
 * Leadership for work that must run in one place at a time (a projection loop, the forwarder, a
 * scheduler, a rebuild) while any number of replicas run the same code. A lease is a row: whoever
 * holds an unexpired row leads; taking it over bumps its token, and every write the leader makes
 * is fenced by that token inside the write's own transaction, so a leader that was paused past its
 * lease (GC, SIGSTOP, a partition) and wakes up cannot apply a late write.
 *
 * Time is the database server's (now()), never the replicas' clocks, which may disagree.
 */
export const LEASE_MIGRATIONS: readonly Migration[] = [
  {
    id: '001-leases',
    statements: [
      `CREATE TABLE IF NOT EXISTS leases (
        name text PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
    ],
  },
];

export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Grows by one on every change of holder: the fencing token. */
  readonly token: number;
  readonly expiresAt: Date;
}

/** The lease moved to another holder (or expired): the work done under it must stop, and its write is refused. */
export class LeaseLostError extends Error {
  constructor(readonly lease: Pick<Lease, 'name' | 'holder' | 'token'>) {
    super(`lease ${lease.name} (token ${lease.token}) is no longer held by ${lease.holder}`);
    this.name = 'LeaseLostError';
  }
}

interface LeaseRow {
  token: string | number;
  expires_at: Date | string;
}

const toLease = (name: string, holder: string, row: LeaseRow): Lease => ({
  name,
  holder,
  token: Number(row.token),
  expiresAt: new Date(row.expires_at),
});

export class Leases {
  constructor(private readonly db: SqlDatabase) {}

  /** Takes the lease when it is free or expired; null while another holder's lease runs. */
  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    const { rows } = await this.db.query<LeaseRow>(
      `INSERT INTO leases AS l (name, holder, token, acquired_at, expires_at)
       VALUES ($1, $2, 1, now(), now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder, token = l.token + 1, acquired_at = now(), expires_at = EXCLUDED.expires_at
         WHERE l.expires_at < now()
       RETURNING token, expires_at`,
      [name, holder, ttlMs],
    );
    return rows.length === 1 ? toLease(name, holder, rows[0]) : null;
  }

  /**
   * Extends a lease still held under its token; null when it was taken over. An expired lease that
   * nobody took is renewed: its token is unchanged, so no other leader can have written under it.
   */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const { rows } = await this.db.query<LeaseRow>(
      `UPDATE leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND token = $3
       RETURNING token, expires_at`,
      [lease.name, lease.holder, lease.token, ttlMs],
    );
    return rows.length === 1 ? toLease(lease.name, lease.holder, rows[0]) : null;
  }

  /** Gives the lease up at once (graceful handover), so the next replica need not wait for it to expire. */
  async release(lease: Lease): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1 AND holder = $2 AND token = $3`,
      [lease.name, lease.holder, lease.token],
    );
    return rowCount === 1;
  }

  /** Who holds a lease now, for health and status; null when nobody does. */
  async holder(name: string): Promise<{ holder: string; token: number; expiresAt: Date } | null> {
    const { rows } = await this.db.query<LeaseRow & { holder: string }>(
      `SELECT holder, token, expires_at FROM leases WHERE name = $1 AND expires_at >= now()`,
      [name],
    );
    return rows.length === 1 ? { holder: rows[0].holder, token: Number(rows[0].token), expiresAt: new Date(rows[0].expires_at) } : null;
  }
}

/**
 * The fence: call inside the transaction of a leader's write, before the write. It locks the lease
 * row in share mode, so a takeover waits for this transaction and then sees its write; and it
 * refuses (LeaseLostError, rolling the transaction back) when the token moved on or the lease ran out.
 */
export async function assertLeaseHeld(tx: SqlExecutor, lease: Pick<Lease, 'name' | 'holder' | 'token'>): Promise<void> {
  const { rows } = await tx.query(
    `SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at >= now() FOR SHARE`,
    [lease.name, lease.holder, lease.token],
  );
  if (rows.length !== 1) throw new LeaseLostError(lease);
}
