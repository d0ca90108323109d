import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { v5 as uuidV5 } from 'uuid';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { IdempotencyKeyReusedError } from '../errors/command-errors';

/** Namespace for ids derived from idempotency keys and message ids (RFC 4122 v5). */
const NAMESPACE = '0f8a6d42-3c1e-5b7a-9d20-6a1f2e4b8c93';

export const deterministicId = (...parts: string[]): string => uuidV5(parts.join('\u0000'), NAMESPACE);

export const fingerprint = (body: unknown): string =>
  createHash('sha256').update(canonicalize(body) ?? '').digest('hex');

/**
 * Remembers which body each Idempotency-Key was first used with. The effect itself is made
 * idempotent by deriving the case and event ids from the key, so a crash between the two
 * steps cannot create a second case.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async onModuleInit(): Promise<void> {
    await migrate(this.db, 'idempotency', [
      {
        id: '001_idempotency_keys',
        statements: [
          `CREATE TABLE idempotency_keys (
            scope text NOT NULL,
            key text NOT NULL,
            request_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (scope, key)
          )`,
        ],
      },
    ]);
  }

  /**
   * Records the key, or checks that a reused key comes with the same body.
   *
   * Two statements on purpose: when another request holds the key uncommitted, the INSERT waits
   * for it and then skips the row, but any read in that same statement still sees the snapshot
   * taken before the wait (without the winner's row), so a loser could take the key as its own.
   * The SELECT after it takes a new snapshot, in which the winner's row is committed.
   */
  async claim(scope: string, key: string, body: unknown): Promise<void> {
    const hash = fingerprint(body);
    const claimed = await this.db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO NOTHING RETURNING request_hash`,
      [scope, key, hash],
      { name: 'idempotency_claim' },
    );
    if (claimed.rows.length === 1) return;
    const { rows } = await this.db.query<{ request_hash: string }>(
      'SELECT request_hash FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
      { name: 'idempotency_read' },
    );
    // No row: the key was claimed and then removed (never done today); nothing to compare with.
    if (rows.length > 0 && rows[0].request_hash !== hash) throw new IdempotencyKeyReusedError(key);
  }
}
