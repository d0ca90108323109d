import { randomUUID } from 'node:crypto';
import { migrate, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { AppendResult, EVENT_LOG_MIGRATIONS, PostgresEventStore, WrongExpectedVersionError } from '@refund-desk/event-store';
import { eventStoreContract, newEvent } from '@refund-desk/event-store/testing';
import { describeWithPostgres, openTestSchema, untilAllVisible } from '../../support/postgres';

describe('PostgresEventStore on embedded PGlite', () => {
  eventStoreContract(async () => {
    const db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    return { store, dispose: () => db.close() };
  });
});

describeWithPostgres('PostgresEventStore on the PostgreSQL server', () => {
  eventStoreContract(async () => {
    const { db, schema, drop } = await openTestSchema('es');
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    return {
      store,
      appendInOpenTransaction: async (streamId, eventId) => {
        const client = await db.connect();
        await client.query(`SET search_path = ${schema}`);
        await client.query('BEGIN');
        const event = { ...newEvent('Slow'), eventId };
        await client.query(
          `INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
           VALUES ($1, 1, $2, $3, $4, $5, now())`,
          [streamId, eventId, event.type, event.data, { ...event.metadata, prevHash: '', hash: '' }],
        );
        return {
          commit: async () => {
            await client.query('COMMIT');
            client.release();
          },
        };
      },
      untilVisible: () => untilAllVisible(db, store),
      dispose: drop,
    };
  });
});

/**
 * Group commit: appends that arrive together share one statement and one commit, yet each keeps
 * its own expected-version check and its own error.
 */
function groupCommitSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>): void {
  let db: SqlDatabase;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
  });
  afterAll(async () => close?.());

  const transactionOf = (result: AppendResult): string => result.events[0].checkpoint.split(':')[0];

  it('writes appends that arrive together in fewer transactions than appends, each stream in order', async () => {
    const store = new PostgresEventStore(db, { groupCommit: { maxInFlight: 1 } });
    const streams = Array.from({ length: 40 }, (_, i) => `groupCommit-${randomUUID()}-${i}`);
    const results = await Promise.all(streams.map((id) => store.append(id, [newEvent('A'), newEvent('B')], { expectedVersion: 0 })));
    const transactions = new Set(results.map(transactionOf));
    // The first leaves alone; the other 39 waited for it and left together.
    expect(transactions.size).toBeLessThanOrEqual(3);
    for (const [i, result] of results.entries()) {
      expect(result.events.map((e) => [e.streamId, e.version])).toEqual([
        [streams[i], 1],
        [streams[i], 2],
      ]);
      expect(await store.readStream(streams[i])).toEqual(result.events);
    }
  });

  it('fails only the append whose version another writer took after this replica last saw the stream', async () => {
    const store = new PostgresEventStore(db, { groupCommit: { maxInFlight: 1 } });
    const elsewhere = new PostgresEventStore(db);
    const streams = Array.from({ length: 12 }, (_, i) => `groupCommit-${randomUUID()}-${i}`);
    await Promise.all(streams.map((id) => store.append(id, [newEvent('First')], { expectedVersion: 0 })));
    // Another replica appends to stream 5; this store's cache still holds version 1 as the head, so
    // only the insert can find the conflict, inside a batch.
    await elsewhere.append(streams[5], [newEvent('Elsewhere')], { expectedVersion: 1 });
    const blocker = store.append(`groupCommit-${randomUUID()}`, [newEvent('Blocker')], { expectedVersion: 0 });
    const attempts = await Promise.allSettled(streams.map((id) => store.append(id, [newEvent('Second')], { expectedVersion: 1 })));
    await blocker;
    attempts.forEach((attempt, i) => {
      if (i === 5) expect(attempt).toMatchObject({ status: 'rejected', reason: { constructor: WrongExpectedVersionError, expected: 1, actual: 2 } });
      else expect(attempt).toMatchObject({ status: 'fulfilled', value: { version: 2 } });
    });
    expect((await store.readStream(streams[5])).map((e) => e.type)).toEqual(['First', 'Elsewhere']);
  });
}

describe('Group commit on embedded PGlite', () => {
  groupCommitSuite(async () => {
    const db = await PgliteDatabase.open();
    return { db, close: () => db.close() };
  });
});

describeWithPostgres('Group commit on the PostgreSQL server', () => {
  groupCommitSuite(async () => {
    const { db, drop } = await openTestSchema('gc');
    return { db, close: drop };
  });
});
