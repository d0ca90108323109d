import { randomUUID } from 'node:crypto';
import { migrate, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, NewEvent, PostgresEventStore } from '@refund-desk/event-store';
import { declaredColumns, prepareReadModels } from './generations';
import { prepareRebuild } from './generations';
import { Projection } from './projection';
import { rebuildReadModels } from './rebuild';

const projection: Projection = {
  name: 'indexed',
  tables: [
    {
      name: 'rm_indexed',
      columns: 'event_id text PRIMARY KEY, stream_id text NOT NULL, type text NOT NULL',
      indexes: ['(stream_id)', '(type, event_id)'],
      lookups: ['(stream_id)'],
    },
  ],
  eventTypes: ['Counted'],
  apply: async (events, tx, tables) => {
    await tx.query(
      `INSERT INTO ${tables.rm_indexed} SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      [events.map((e) => e.eventId), events.map((e) => e.streamId), events.map((e) => e.type)],
    );
  },
};

const indexesOf = async (db: SqlDatabase, table: string): Promise<string[]> =>
  (await db.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1', [table])).rows
    .map((r) => r.def.replace(/^.* USING btree /, ''))
    .sort();

describe('read-model generations', () => {
  it('fills a rebuilt generation with only the lookups indexed, and indexes it fully before it goes live', async () => {
    const db = await PgliteDatabase.open();
    try {
      await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
      const store = new PostgresEventStore(db);
      const event = (): NewEvent => ({
        eventId: randomUUID(),
        type: 'Counted',
        data: {},
        metadata: { actor: 't', occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
      });
      await store.append('s-1', [event(), event(), event()], { expectedVersion: 0 });
      await prepareReadModels(db, [projection]);
      expect(await indexesOf(db, 'rm_indexed_g1')).toEqual(['(event_id)', '(stream_id)', '(type, event_id)']);
      const building = await prepareRebuild(db, projection);
      expect(await indexesOf(db, `rm_indexed_g${building.generation}`)).toEqual(['(event_id)', '(stream_id)']);
      const result = await rebuildReadModels(db, store, [projection]);
      expect(result.generations).toEqual({ indexed: building.generation });
      expect(await indexesOf(db, `rm_indexed_g${building.generation}`)).toEqual(['(event_id)', '(stream_id)', '(type, event_id)']);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_indexed')).rows[0].n).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('starts a read model again from the beginning of the log when its live tables lack a column this version writes', async () => {
    const db = await PgliteDatabase.open();
    try {
      await prepareReadModels(db, [projection]);
      await db.query(`INSERT INTO rm_indexed_g1 VALUES ('e-1', 's-1', 'Counted')`);
      await db.query(`UPDATE projection_checkpoints SET checkpoint = '1:1' WHERE name = 'indexed'`);
      // The same shape again: the live generation and its rows stay.
      await prepareReadModels(db, [projection]);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_indexed')).rows[0].n).toBe(1);
      const wider: Projection = { ...projection, tables: [{ ...projection.tables[0], columns: `${projection.tables[0].columns}, note text` }] };
      await prepareReadModels(db, [wider]);
      const generations = await db.query<{ generation: number; status: string; checkpoint: string | null }>(
        `SELECT generation, status, checkpoint FROM projection_checkpoints WHERE name = 'indexed'`,
      );
      expect(generations.rows).toEqual([{ generation: 2, status: 'live', checkpoint: null }]);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_indexed')).rows[0].n).toBe(0);
      expect((await db.query<{ t: string | null }>(`SELECT to_regclass('rm_indexed_g1')::text AS t`)).rows[0].t).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('reads the column names of a table body, leaving out constraints', () => {
    expect(declaredColumns('case_id text NOT NULL,\n deadline text, due numeric(10, 2), PRIMARY KEY (case_id, deadline), UNIQUE (due)')).toEqual(['case_id', 'deadline', 'due']);
  });
});
