import { migrate } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { RebuildLeases, rebuildReadModels } from '@refund-desk/read-models';
import { CheckpointMovedError, loadLiveGeneration, prepareReadModels } from '@refund-desk/read-models/testing';
import { describeWithPostgres, openTestSchema, untilAllVisible } from '../../support/postgres';
import { countedEvent, TallyProjection } from '../../support/tally-projection';

const event = countedEvent;

describeWithPostgres('rebuild with the next batch waiting behind the one committing (PostgreSQL)', () => {
  let test: Awaited<ReturnType<typeof openTestSchema>>;
  let store: PostgresEventStore;
  const total = async (table: string): Promise<number> =>
    (await test.db.query<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM ${table}`)).rows[0].n;

  beforeAll(async () => {
    test = await openTestSchema('pipeline');
    await migrate(test.db, 'event-log', EVENT_LOG_MIGRATIONS);
    store = new PostgresEventStore(test.db);
    for (let s = 0; s < 12; s++) {
      const poison = s === 5 ? [event({ poison: true })] : [];
      await store.append(`s-${s}`, [event(), event(), ...poison, event(), event(), event()], { expectedVersion: 0 });
    }
    await untilAllVisible(test.db, store);
  });
  afterAll(() => test?.drop());

  it('sets aside an event one read model cannot apply, mid-rebuild, and applies every other event once', async () => {
    const [sick, healthy] = [new TallyProjection('sick'), new TallyProjection('healthy', true)];
    await prepareReadModels(test.db, [sick, healthy]);
    const result = await rebuildReadModels(test.db, store, [sick, healthy], { batchSize: 4, logger: { error: () => undefined } });
    expect(result.eventsRead).toBe(61);
    expect([await total('rm_sick'), await total('rm_healthy')]).toEqual([60, 61]);
    const failures = await test.db.query<{ name: string }>('SELECT name FROM projection_failures');
    expect(failures.rows).toEqual([{ name: 'sick' }]);
    const head = await store.head();
    for (const name of ['sick', 'healthy']) expect((await loadLiveGeneration(test.db, name))!.checkpoint).toBe(head.checkpoint);
  });

  it('lets two rebuilds of one read model race without applying any batch twice', async () => {
    const tally = new TallyProjection('raced');
    await prepareReadModels(test.db, [tally]);
    // The lease keeps a second rebuild out; here it is taken out of the way (as if both rebuilders
    // believed they held it), to show the checkpoint's compare-and-set still applies no batch twice.
    const noLease = { fence: async () => undefined, keep: () => undefined, release: async () => undefined } as unknown as RebuildLeases;
    const runs = await Promise.allSettled(
      [1, 2].map(() => rebuildReadModels(test.db, store, [new TallyProjection('raced')], { batchSize: 3, leases: noLease })),
    );
    // Two rebuilds of one generation each refuse a batch the other moved the checkpoint under: one may
    // finish, or both may give way (each saw the other move first); neither may fail any other way.
    for (const run of runs) if (run.status === 'rejected') expect(run.reason).toBeInstanceOf(CheckpointMovedError);
    // A loser stops with the generation moved under it; running again resumes whatever is left.
    await rebuildReadModels(test.db, store, [tally], { batchSize: 3 });
    expect(await total('rm_raced')).toBe(60);
  });
});
