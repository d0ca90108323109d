import { LeaseLostError, Leases, migrate, PgliteDatabase, SqlDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore, SealedEventLog } from '@refund-desk/event-store';
import { RebuildBusyError, rebuildLeaseName, RebuildLeases, rebuildReadModels } from '@refund-desk/read-models';
import { loadLiveGeneration, prepareReadModels } from '@refund-desk/read-models/testing';
import { describeWithPostgres, openTestSchema, untilAllVisible } from '../../support/postgres';
import { countedEvent, TallyProjection } from '../../support/tally-projection';

const event = countedEvent;
/** The rebuild lease TTL of the renewal test. */
const LEASE_TTL_MS = 1_000;

/** A gate a test opens; until then whoever waits on it is paused (as a process stopped by GC or SIGSTOP would be). */
function gate(): { wait: Promise<void>; open(): void; reached: Promise<void>; arrive(): void } {
  let open!: () => void;
  let arrive!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return { wait, open, reached, arrive };
}

/**
 * The store as a rebuild sees it, paused at one call: the `n`th readAll (1-based) or the `n`th
 * head; a pause there is between the rebuild's transactions, where a process really is paused.
 */
function pausedStore(store: SealedEventLog, at: { readAll?: number; head?: number; failReadAll?: number }, pause = gate()) {
  let reads = 0;
  let heads = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readAll') {
        return async (...args: Parameters<SealedEventLog['readAll']>) => {
          reads += 1;
          if (reads === at.failReadAll) throw new Error('the log could not be read');
          if (reads === at.readAll) {
            pause.arrive();
            await pause.wait;
          }
          return target.readAll(...args);
        };
      }
      if (property === 'head') {
        return async () => {
          heads += 1;
          if (heads === at.head) {
            pause.arrive();
            await pause.wait;
          }
          return target.head();
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, pause };
}

function rebuildLeaseSuite(open: () => Promise<{ db: SqlDatabase; store: SealedEventLog; close(): Promise<void> }>, onPostgres: boolean): void {
  let db: SqlDatabase;
  let store: SealedEventLog;
  let close: () => Promise<void>;
  let n = 0;
  const fresh = async (): Promise<TallyProjection> => {
    const projection = new TallyProjection(`lease_${++n}`);
    await prepareReadModels(db, [projection]);
    return projection;
  };
  const total = async (projection: TallyProjection, generation?: number): Promise<number> => {
    const table = generation === undefined ? `rm_${projection.name}` : `rm_${projection.name}_g${generation}`;
    return (await db.query<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM ${table}`)).rows[0].n;
  };
  const leaseOf = async (projection: TallyProjection) =>
    (await db.query<{ holder: string; running: boolean }>(`SELECT holder, expires_at >= now() AS running FROM leases WHERE name = $1`, [rebuildLeaseName(projection.name)]))
      .rows[0];
  /** What another process does once this one's lease has run out: the lease expires, and it takes it. */
  const takeOver = async (projection: TallyProjection): Promise<void> => {
    await db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1`, [rebuildLeaseName(projection.name)]);
    expect(await new Leases(db).tryAcquire(rebuildLeaseName(projection.name), 'usurper', 60_000)).not.toBeNull();
  };
  const generations = async (projection: TallyProjection) =>
    (await db.query<{ generation: number; status: string; checkpoint: string | null }>(
      'SELECT generation, status, checkpoint FROM projection_checkpoints WHERE name = $1 ORDER BY generation',
      [projection.name],
    )).rows;

  beforeAll(async () => {
    ({ db, store, close } = await open());
    for (let s = 0; s < 12; s++) await store.append(`s-${s}`, [event(), event(), event(), event(), event()], { expectedVersion: 0 });
    if (onPostgres) await untilAllVisible(db, store);
  });
  afterAll(() => close?.());

  it('lets one of two rebuilds of a read model started together run; the other is refused, naming the holder, before touching anything', async () => {
    const projection = await fresh();
    // Whichever wins waits at its first read of the log until the other has been answered.
    const { store: paused, pause } = pausedStore(store, { readAll: 1 });
    const runs = [
      rebuildReadModels(db, paused, [projection], { batchSize: 3, holder: 'replica-a' }),
      rebuildReadModels(db, paused, [projection], { batchSize: 3, holder: 'replica-b' }),
    ];
    void Promise.race(runs).catch(() => undefined).finally(pause.open);
    const [a, b] = await Promise.allSettled(runs);
    const outcomes = [a, b].map((run) => run.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const refused = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    const winner = a.status === 'fulfilled' ? 'replica-a' : 'replica-b';
    expect(refused.reason).toBeInstanceOf(RebuildBusyError);
    expect(refused.reason).toMatchObject({ readModel: projection.name, holder: winner });
    expect((refused.reason as Error).message).toContain(winner);
    // Every event applied exactly once, by the one that ran.
    expect(await total(projection)).toBe(60);
    expect(await leaseOf(projection)).toEqual({ holder: winner, running: false });
  });

  it('refuses all of a multi-model rebuild when one lease is held, and gives back those it had taken', async () => {
    const [first, second] = [await fresh(), await fresh()];
    const held = await RebuildLeases.acquire(db, [second.name], { holder: 'cli-on-another-host', ttlMs: 60_000 });
    await expect(rebuildReadModels(db, store, [first, second], { holder: 'replica-a' })).rejects.toMatchObject({
      name: 'RebuildBusyError',
      readModel: second.name,
      holder: 'cli-on-another-host',
    });
    // The first read model's lease, taken before the second was found busy, is free again; nothing was built.
    expect(await leaseOf(first)).toEqual({ holder: 'replica-a', running: false });
    expect((await generations(first)).map((row) => row.status)).toEqual(['live']);
    await held.release();
    await rebuildReadModels(db, store, [first, second], { holder: 'replica-a', batchSize: 7 });
    expect([await total(first), await total(second)]).toEqual([60, 60]);
  });

  it('refuses the next batch of a rebuilder whose lease was taken over while it was paused, leaving the tables as they were', async () => {
    const projection = await fresh();
    const liveBefore = await loadLiveGeneration(db, projection.name);
    const { store: paused, pause } = pausedStore(store, { readAll: 4 });
    const run = rebuildReadModels(db, paused, [projection], { batchSize: 5, holder: 'replica-a', leaseTtlMs: 60_000 });
    run.catch(() => undefined);
    await pause.reached;
    // The batches read before the pause commit; wait for them, then look at what the rebuild built.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [building] = (await generations(projection)).filter((row) => row.status === 'building');
    const builtBefore = await total(projection, building.generation);
    expect(builtBefore).toBeGreaterThan(0);
    await takeOver(projection);
    pause.open();
    await expect(run).rejects.toBeInstanceOf(LeaseLostError);
    expect(await total(projection, building.generation)).toBe(builtBefore);
    expect((await generations(projection)).find((row) => row.generation === building.generation)).toEqual(building);
    expect(await loadLiveGeneration(db, projection.name)).toEqual(liveBefore);
    // The usurper's lease is left alone.
    expect(await leaseOf(projection)).toEqual({ holder: 'usurper', running: true });
  });

  it('refuses the swap of a rebuilder whose lease was taken over after it caught up; the live generation stays', async () => {
    const projection = await fresh();
    const liveBefore = await loadLiveGeneration(db, projection.name);
    // head() is asked once at the start and once after catching up, right before the swap.
    const { store: paused, pause } = pausedStore(store, { head: 2 });
    const run = rebuildReadModels(db, paused, [projection], { batchSize: 100, holder: 'replica-a', leaseTtlMs: 60_000 });
    run.catch(() => undefined);
    await pause.reached;
    const [building] = (await generations(projection)).filter((row) => row.status === 'building');
    expect(await total(projection, building.generation)).toBe(60);
    await takeOver(projection);
    pause.open();
    await expect(run).rejects.toBeInstanceOf(LeaseLostError);
    expect(await loadLiveGeneration(db, projection.name)).toEqual(liveBefore);
    expect((await generations(projection)).map((row) => row.status)).toEqual(['live', 'building']);
    expect(await total(projection)).toBe(0);
    // Once the other holder is done (here: its lease runs out), running again resumes and swaps.
    await db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1`, [rebuildLeaseName(projection.name)]);
    const resumed = await rebuildReadModels(db, store, [projection], { holder: 'replica-a' });
    expect(resumed.eventsRead).toBe(0);
    expect(await total(projection)).toBe(60);
  });

  it('keeps renewing its lease while it runs longer than the TTL, and stops when a renewal is refused', async () => {
    const projection = await fresh();
    const { store: paused, pause } = pausedStore(store, { readAll: 2 });
    // A TTL short enough to outlast several times, long enough that a loaded CI machine's timer
    // delays (300 ms were seen) do not let a healthy lease run out between renewals.
    const run = rebuildReadModels(db, paused, [projection], { batchSize: 5, holder: 'replica-a', leaseTtlMs: LEASE_TTL_MS });
    await pause.reached;
    await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_TTL_MS));
    await expect(RebuildLeases.acquire(db, [projection.name], { holder: 'replica-b', ttlMs: LEASE_TTL_MS })).rejects.toMatchObject({ holder: 'replica-a' });
    pause.open();
    await run;
    expect(await total(projection)).toBe(60);

    const again = await fresh();
    const second = pausedStore(store, { readAll: 2 });
    const stopped = rebuildReadModels(db, second.store, [again], { batchSize: 5, holder: 'replica-a', leaseTtlMs: LEASE_TTL_MS });
    stopped.catch(() => undefined);
    await second.pause.reached;
    await takeOver(again);
    // The refused renewal stops the rebuild on its own, before any further write is tried.
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS));
    second.pause.open();
    await expect(stopped).rejects.toThrow(`lease ${rebuildLeaseName(again.name)}`);
  });

  it('releases its leases after a success, a failure and an abort', async () => {
    const projection = await fresh();
    await rebuildReadModels(db, store, [projection], { holder: 'replica-a', leaseTtlMs: 60_000 });
    expect(await leaseOf(projection)).toEqual({ holder: 'replica-a', running: false });

    const failing = pausedStore(store, { failReadAll: 2 });
    await expect(rebuildReadModels(db, failing.store, [projection], { batchSize: 5, holder: 'replica-b', leaseTtlMs: 60_000 })).rejects.toThrow(
      'the log could not be read',
    );
    expect(await leaseOf(projection)).toEqual({ holder: 'replica-b', running: false });

    const controller = new AbortController();
    const paused = pausedStore(store, { readAll: 2 });
    const aborted = rebuildReadModels(db, paused.store, [projection], { batchSize: 5, holder: 'replica-c', leaseTtlMs: 60_000, signal: controller.signal });
    aborted.catch(() => undefined);
    await paused.pause.reached;
    controller.abort();
    paused.pause.open();
    await expect(aborted).rejects.toThrow('rebuild aborted');
    expect(await leaseOf(projection)).toEqual({ holder: 'replica-c', running: false });
    // Free for anyone at once: the next rebuild resumes what the others left.
    await rebuildReadModels(db, store, [projection], { holder: 'replica-d' });
    expect(await total(projection)).toBe(60);
  });
}

describeWithPostgres('rebuilds run under a lease per read model (PostgreSQL)', () =>
  rebuildLeaseSuite(async () => {
    const schema = await openTestSchema('rlease');
    await migrate(schema.db, 'event-log', EVENT_LOG_MIGRATIONS);
    return { db: schema.db, store: new PostgresEventStore(schema.db), close: schema.drop };
  }, true),
);

describe('rebuilds run under a lease per read model (embedded PGlite)', () =>
  rebuildLeaseSuite(async () => {
    const db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    return { db, store: new PostgresEventStore(db), close: () => db.close() };
  }, false),
);
