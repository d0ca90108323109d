import { randomUUID } from 'node:crypto';
import { migrate, PgliteDatabase, SqlExecutor } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, NewEvent, PostgresEventStore, RecordedEvent } from '@refund-desk/event-store';
import { prepareReadModels } from './generations';
import { loadLiveGeneration } from './checkpoints';
import { Projection, TableNames } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildReadModels } from './rebuild';

/** Counts events per stream; throws on an event marked poison, as a buggy projection might. */
class CountingProjection implements Projection {
  readonly tables: Projection['tables'];
  readonly eventTypes = ['Counted'];

  constructor(readonly name = 'counting') {
    this.tables = [{ name: `rm_${name}`, columns: 'event_id text PRIMARY KEY, stream_id text NOT NULL' }];
  }

  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    if (events.some((e) => e.data.poison === true)) throw new Error('cannot digest this one');
    await tx.query(
      `INSERT INTO ${tables[`rm_${this.name}`]} SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [events.map((e) => e.eventId), events.map((e) => e.streamId)],
    );
  }
}

const event = (data: Record<string, unknown> = {}, type = 'Counted'): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: { actor: 't', occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
});

describe('projection runner', () => {
  let db: PgliteDatabase;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  const projection = new CountingProjection();
  const count = async (): Promise<number> => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_counting')).rows[0].n;
  const append = async (events: NewEvent[]): Promise<number> => {
    const result = await store.append(`s-${randomUUID()}`, events, { expectedVersion: 0 });
    return result.events[result.events.length - 1].position;
  };

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    store = new PostgresEventStore(db);
    await prepareReadModels(db, [projection]);
    runner = new ProjectionRunner(db, store, [projection], { batchSize: 10, idleWaitMs: 20 });
  });
  afterAll(async () => {
    await runner.stop();
    await db.close();
  });

  it('reports lag as events behind and the age of the oldest unapplied event, and none once caught up', async () => {
    await append([event(), event(), event({}, 'Ignored')]);
    const [behind] = await runner.status(new Date(Date.now() + 10_000));
    expect(behind.lagEvents).toBe(3);
    expect(behind.lagSeconds).toBeGreaterThanOrEqual(10);
    expect(behind.lagSeconds).toBeLessThan(15);
    runner.start();
    const head = await store.head();
    expect(await runner.waitFor('counting', head.checkpoint, 5_000)).toBe(true);
    const [caughtUp] = await runner.status();
    expect(caughtUp).toMatchObject({ name: 'counting', generation: 1, lagEvents: 0, lagSeconds: 0, rebuilding: null });
    expect(await count()).toBe(2);
  });

  it('counts the backlog instead of subtracting positions where positions are byte offsets', async () => {
    const sparse = new ProjectionRunner(db, Object.assign(Object.create(store), { positionsCountEvents: false }), [new CountingProjection('sparse')]);
    await prepareReadModels(db, [new CountingProjection('sparse')]);
    const [before] = await sparse.status();
    await append([event({}, 'Ignored'), event({}, 'Ignored')]);
    const [after] = await sparse.status();
    expect(after.lagEvents).toBe(before.lagEvents + 2);
  });

  it('waits for a position (read-your-writes) and says when it cannot reach it', async () => {
    const position = await append(Array.from({ length: 25 }, () => event()));
    expect(await runner.waitForPosition('counting', position, 5_000)).toBe(true);
    expect(await count()).toBe(27);
    expect(await runner.waitForPosition('counting', position + 1_000, 100)).toBe(false);
  });

  it('sets aside an event it cannot apply, records it, and carries on', async () => {
    const position = await append([event(), event({ poison: true }), event()]);
    expect(await runner.waitForPosition('counting', position, 5_000)).toBe(true);
    expect(await count()).toBe(29);
    const { rows } = await db.query<{ name: string; error: string }>('SELECT name, error FROM projection_failures');
    expect(rows).toEqual([{ name: 'counting', error: 'cannot digest this one' }]);
  });

  it('keeps projecting into the new generation after a rebuild swaps it in', async () => {
    const result = await rebuildReadModels(db, store, [projection], { batchSize: 7 });
    expect(result.generations).toEqual({ counting: 2 });
    expect((await loadLiveGeneration(db, 'counting'))!.generation).toBe(2);
    expect(await count()).toBe(29);
    const position = await append([event(), event()]);
    expect(await runner.waitForPosition('counting', position, 5_000)).toBe(true);
    expect(await count()).toBe(31);
    const tables = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'rm_counting%' ORDER BY 1`);
    expect(tables.rows.map((r) => r.name)).toEqual(['rm_counting_g2']);
  });

  it('resumes an interrupted rebuild from its checkpoint instead of starting again', async () => {
    const controller = new AbortController();
    let batches = 0;
    await expect(
      rebuildReadModels(db, store, [projection], {
        batchSize: 5,
        signal: controller.signal,
        onProgress: () => {
          if (++batches === 2) controller.abort();
        },
      }),
    ).rejects.toThrow('aborted');
    const [status] = await runner.status();
    expect(status.rebuilding).toMatchObject({ generation: 3 });
    const resumed = await rebuildReadModels(db, store, [projection], { batchSize: 5 });
    expect(resumed.generations).toEqual({ counting: 3 });
    expect(resumed.eventsRead).toBeLessThan(31);
    expect(await count()).toBe(31);
    expect((await runner.status())[0].rebuilding).toBeNull();
  });
});

describe('projection runner with read models at different checkpoints', () => {
  it('catches each up from its own checkpoint and never moves one back', async () => {
    const db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    const store = new PostgresEventStore(db);
    const [a, b] = [new CountingProjection('count_a'), new CountingProjection('count_b')];
    await prepareReadModels(db, [a, b]);
    const first = await store.append(`s-${randomUUID()}`, Array.from({ length: 12 }, () => event()), { expectedVersion: 0 });
    // b is rebuilt to the head while a is still at the start of the log.
    await rebuildReadModels(db, store, [b], { batchSize: 5 });
    const bAhead = (await loadLiveGeneration(db, 'count_b'))!;
    const runner = new ProjectionRunner(db, store, [a, b], { batchSize: 5, idleWaitMs: 20 });
    const seen: (string | null)[] = [];
    runner.onBatch((name) => void (name === 'count_b' && loadLiveGeneration(db, 'count_b').then((g) => seen.push(g!.checkpoint))));
    runner.start();
    try {
      const last = first.events[first.events.length - 1].position;
      expect(await runner.waitForPosition('count_a', last, 5_000)).toBe(true);
      const more = await store.append(`s-${randomUUID()}`, [event(), event()], { expectedVersion: 0 });
      expect(await runner.waitForPosition('count_b', more.events[1].position, 5_000)).toBe(true);
      const counts = await db.query<{ a: number; b: number }>('SELECT (SELECT count(*)::int FROM rm_count_a) AS a, (SELECT count(*)::int FROM rm_count_b) AS b');
      expect(counts.rows[0]).toEqual({ a: 14, b: 14 });
      for (const checkpoint of seen) expect(store.compareCheckpoints(checkpoint, bAhead.checkpoint)).toBeGreaterThanOrEqual(0);
      expect((await loadLiveGeneration(db, 'count_b'))!.position).toBe(more.events[1].position);
    } finally {
      await runner.stop();
      await db.close();
    }
  });
});
