import { migrate } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore } from '@refund-desk/event-store';
import { RebuildLeases, rebuildReadModels } from '@refund-desk/read-models';
import { CheckpointMovedError, loadLiveGeneration, prepareReadModels } from '@refund-desk/read-models/testing';
import { describeWithPostgres, openTestSchema, untilAllVisible } from '../../support/postgres';
import { RecordedEvent } from '@refund-desk/event-store';
import { SqlExecutor } from '@refund-desk/database';
import { TableNames } from '@refund-desk/read-models/testing';
import { countedEvent, TallyProjection } from '../../support/tally-projection';

const event = countedEvent;

const gate = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/** A tally whose second batch waits, inside its transaction, until the test lets it go on. */
class StalledTally extends TallyProjection {
  calls = 0;
  table = '';
  readonly stalled = gate();
  readonly release = gate();

  override async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    this.table = tables[`rm_${this.name}`];
    await super.apply(events, tx, tables);
    if (++this.calls === 2) {
      this.stalled.resolve();
      await this.release.promise;
    }
  }
}

/**
 * A tally whose `refuse`-th batch fails with `error()` once the batch after it has been issued
 * behind it (that one waits on the checkpoint row, or has already found the row not yet where
 * this batch leaves it).
 */
class RefusedTally extends TallyProjection {
  calls = 0;

  constructor(
    name: string,
    private readonly test: { db: SqlExecutor; schema: string },
    private readonly refuse: number,
    private readonly error: () => Error,
  ) {
    super(name, true);
  }

  override async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await super.apply(events, tx, tables);
    if (++this.calls !== this.refuse) return;
    // A transaction waiting for a row lock holds the row's tuple lock meanwhile.
    for (const until = Date.now() + 1_000; Date.now() < until; await new Promise((r) => setTimeout(r, 10))) {
      const { rows } = await this.test.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'tuple' AND relation = '${this.test.schema}.projection_checkpoints'::regclass`,
      );
      if (rows[0].n > 0) break;
    }
    throw this.error();
  }
}

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

  it('writes read models in transactions side by side: one stalled mid-batch holds back no other', async () => {
    const [slow, quick] = [new StalledTally('slow', true), new StalledTally('quick', true)];
    quick.calls = -1_000; // never stalls
    await prepareReadModels(test.db, [slow, quick]);
    const rebuild = rebuildReadModels(test.db, store, [slow, quick], { batchSize: 4, transactions: 2 });
    try {
      await slow.stalled.promise;
      // The quick read model's second batch commits beside the slow one's, and its third behind it.
      const until = Date.now() + 10_000;
      while ((await total(quick.table)) < 8 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await total(quick.table)).toBeGreaterThanOrEqual(8);
      expect(await total(slow.table)).toBe(4);
    } finally {
      slow.release.resolve();
    }
    const result = await rebuild;
    expect(result.eventsRead).toBe(61);
    expect([await total('rm_slow'), await total('rm_quick')]).toEqual([61, 61]);
  });

  it('does not apply the batch behind a failed one past that one\'s events', async () => {
    const serializationFailure = () => Object.assign(new Error('could not serialize access (test)'), { code: '40001' });
    const refused = new RefusedTally('refused', test, 2, serializationFailure);
    await prepareReadModels(test.db, [refused]);
    await expect(rebuildReadModels(test.db, store, [refused], { batchSize: 4 })).rejects.toThrow('could not serialize access (test)');
    // Running it again resumes from the checkpoint the failure left. Had the third batch gone on
    // from where the failed second one left it, the second's four events would be missing for
    // good: the checkpoint would stand past them.
    await rebuildReadModels(test.db, store, [new TallyProjection('refused', true)], { batchSize: 4 });
    expect(await total('rm_refused')).toBe(61);
  });

  it('goes on from the stored checkpoints when one was not where the rebuild left it', async () => {
    const moved = new RefusedTally('moved', test, 1, () => new CheckpointMovedError('moved', 0, 'moved by the test'));
    await prepareReadModels(test.db, [moved]);
    const warnings: unknown[] = [];
    await rebuildReadModels(test.db, store, [moved], { batchSize: 4, logger: { error: () => undefined, warn: (entry) => warnings.push(entry) } });
    expect(await total('rm_moved')).toBe(61);
    expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringContaining('going on from the stored checkpoints'), detail: expect.stringContaining('moved by the test') })]);
  });

  it('lets two rebuilds of one read model race without applying any batch twice', async () => {
    const tally = new TallyProjection('raced');
    await prepareReadModels(test.db, [tally]);
    // The lease keeps a second rebuild out; here it is taken out of the way (as if both rebuilders
    // believed they held it), to show the checkpoint's compare-and-set still applies no batch twice.
    const noLease = { fence: async () => undefined, keep: () => undefined, release: async () => undefined } as unknown as RebuildLeases;
    // Each finds the checkpoint moved by the other again and again, and says so; expected here.
    const quiet = { error: () => undefined, warn: () => undefined };
    const runs = await Promise.allSettled(
      [1, 2].map(() => rebuildReadModels(test.db, store, [new TallyProjection('raced')], { batchSize: 3, leases: noLease, logger: quiet })),
    );
    // Two rebuilds of one generation each refuse a batch the other moved the checkpoint under: one may
    // finish, or both may give way (each saw the other move first); neither may fail any other way.
    for (const run of runs) if (run.status === 'rejected') expect(run.reason).toBeInstanceOf(CheckpointMovedError);
    // A loser stops with the generation moved under it; running again resumes whatever is left.
    await rebuildReadModels(test.db, store, [tally], { batchSize: 3 });
    expect(await total('rm_raced')).toBe(60);
  });

  // Last: it appends to the log the tests above count.
  it('catches up again from the stored checkpoint when another writer moved the generation just before the swap', async () => {
    const tally = new TallyProjection('swapped', true);
    await prepareReadModels(test.db, [tally]);
    let heads = 0;
    // head() is asked once at the start and once after catching up, right before the swap: there
    // a writer the lease did not stop (one frozen past it, say) applies an event appended late.
    const interrupted = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'head') return Reflect.get(target, property, receiver);
        return async () => {
          if (++heads === 2) {
            await target.append('late', [event()], { expectedVersion: 0 });
            await untilAllVisible(test.db, target);
            const head = await target.head();
            const { rows } = await test.db.query<{ generation: number }>(`SELECT generation FROM projection_checkpoints WHERE name = 'swapped' AND status = 'building'`);
            await test.db.query(`INSERT INTO rm_swapped_g${rows[0].generation} (stream_id, n) VALUES ('late', 1)`);
            await test.db.query(`UPDATE projection_checkpoints SET checkpoint = $1 WHERE name = 'swapped' AND status = 'building'`, [head.checkpoint]);
          }
          return target.head();
        };
      },
    });
    await rebuildReadModels(test.db, interrupted, [tally], { batchSize: 4 });
    expect(heads).toBeGreaterThan(2);
    expect(await total('rm_swapped')).toBe(62);
    expect((await loadLiveGeneration(test.db, 'swapped'))!.checkpoint).toBe((await store.head()).checkpoint);
  });
});
