import { randomBytes, randomUUID } from 'node:crypto';
import { Migration, SqlDatabase } from '@refund-desk/database';
import { unwrapKey, wrapKey } from './field-cipher';

export const CUSTOMER_KEY_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_customer_keys',
    statements: [
      `CREATE TABLE customer_keys (
        key_id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz
      )`,
      'CREATE UNIQUE INDEX customer_keys_one_active ON customer_keys (customer_id) WHERE erased_at IS NULL',
      // A value sealed by the master key at first start: a different key is refused at start-up.
      'CREATE TABLE customer_key_check (id int PRIMARY KEY CHECK (id = 1), sealed bytea NOT NULL)',
    ],
  },
];

const CHECK_VALUE = Buffer.from('refund-desk master key check');

export class MasterKeyMismatchError extends Error {
  constructor() {
    super(
      'PII_MASTER_KEY does not open the keys this database was set up with. Use the original key ' +
        '(or the DATA_DIR that holds the generated one); starting would make every customer\'s personal data unreadable.',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

interface KeyRow {
  key_id: string;
  customer_id: string;
  wrapped_key: Uint8Array | null;
}

const CACHE_MS = 2_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Each customer's data key, kept outside the event log and sealed by the master key. Erasing a
 * customer destroys their keys, which makes every encrypted field of theirs unreadable. Keys are
 * cached briefly; an erasure clears this process's cache at once and others within CACHE_MS.
 */
export class CustomerKeyStore {
  private readonly byKeyId = new Map<string, { key: Buffer | null; at: number }>();
  private readonly activeByCustomer = new Map<string, { keyId: string; key: Buffer; at: number }>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly masterKey: Buffer,
  ) {}

  /** Seals a check value on first start, and refuses to go on with a master key that cannot open it. */
  async verifyMasterKey(): Promise<void> {
    await this.db.query('INSERT INTO customer_key_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      wrapKey(this.masterKey, CHECK_VALUE, 'check'),
    ]);
    const { rows } = await this.db.query<{ sealed: Uint8Array }>('SELECT sealed FROM customer_key_check WHERE id = 1');
    try {
      if (!unwrapKey(this.masterKey, Buffer.from(rows[0].sealed), 'check').equals(CHECK_VALUE)) throw new MasterKeyMismatchError();
    } catch {
      throw new MasterKeyMismatchError();
    }
  }

  /** The key new personal data of this customer is sealed with; created on first use. */
  async activeKey(customerId: string): Promise<{ keyId: string; key: Buffer }> {
    const cached = this.activeByCustomer.get(customerId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached;
    const keyId = randomUUID();
    const dataKey = randomBytes(32);
    await this.db.query(
      `INSERT INTO customer_keys (key_id, customer_id, wrapped_key) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) WHERE erased_at IS NULL DO NOTHING`,
      [keyId, customerId, wrapKey(this.masterKey, dataKey, `${customerId}:${keyId}`)],
    );
    const { rows } = await this.db.query<KeyRow>(
      'SELECT key_id, customer_id, wrapped_key FROM customer_keys WHERE customer_id = $1 AND erased_at IS NULL',
      [customerId],
    );
    const row = rows[0];
    const key = this.unwrap(row);
    if (!key) throw new Error(`The active key of customer ${customerId} has no key material`);
    const entry = { keyId: row.key_id, key, at: Date.now() };
    this.activeByCustomer.set(customerId, entry);
    this.byKeyId.set(row.key_id, { key, at: entry.at });
    return entry;
  }

  /**
   * Keys by id: the key, or null once erased. An id the store never issued, or whose stored key no
   * longer opens, is left out: what it sealed is damaged, not erased. One query for all ids not cached.
   */
  async keys(keyIds: readonly string[]): Promise<Map<string, Buffer | null>> {
    const now = Date.now();
    const found = new Map<string, Buffer | null>();
    const missing: string[] = [];
    for (const keyId of new Set(keyIds)) {
      const cached = this.byKeyId.get(keyId);
      if (cached && now - cached.at < CACHE_MS) found.set(keyId, cached.key);
      else if (UUID.test(keyId)) missing.push(keyId);
    }
    if (missing.length > 0) {
      const { rows } = await this.db.query<KeyRow>(
        'SELECT key_id, customer_id, wrapped_key FROM customer_keys WHERE key_id = ANY($1::uuid[])',
        [missing],
      );
      for (const row of rows) {
        let key: Buffer | null;
        try {
          key = this.unwrap(row);
        } catch {
          continue;
        }
        found.set(row.key_id, key);
        this.byKeyId.set(row.key_id, { key, at: now });
      }
    }
    return found;
  }

  /** Destroys every key of the customer; returns how many were destroyed now. */
  async erase(customerId: string): Promise<number> {
    const { rows } = await this.db.query<{ key_id: string }>(
      `UPDATE customer_keys SET wrapped_key = NULL, erased_at = coalesce(erased_at, now())
        WHERE customer_id = $1 AND wrapped_key IS NOT NULL RETURNING key_id`,
      [customerId],
    );
    this.activeByCustomer.delete(customerId);
    for (const row of rows) this.byKeyId.set(row.key_id, { key: null, at: Date.now() });
    if (rows.length > 0) {
      // The old key bytes linger in dead row versions until vacuumed; reclaim them now.
      await this.db.query('VACUUM customer_keys').catch(() => undefined);
    }
    return rows.length;
  }

  private unwrap(row: KeyRow): Buffer | null {
    if (!row.wrapped_key) return null;
    return unwrapKey(this.masterKey, Buffer.from(row.wrapped_key), `${row.customer_id}:${row.key_id}`);
  }
}
