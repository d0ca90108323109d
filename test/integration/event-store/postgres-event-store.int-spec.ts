import { migrate, PgliteDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { eventStoreContract, newEvent } from '@refund-desk/event-store/testing';
import { describeWithPostgres, openTestSchema } from '../../support/postgres';

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
      dispose: drop,
    };
  });
});
