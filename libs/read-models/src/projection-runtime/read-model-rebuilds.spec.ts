import { randomUUID } from 'node:crypto';
import { Leases, migrate, PgliteDatabase, REPLICA_ID, SqlExecutor } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore, RecordedEvent, SealedEventLog } from '@refund-desk/event-store';
import { AppConfig } from '@refund-desk/platform';
import { prepareReadModels } from './generations';
import { Projection, TableNames } from './projection';
import { ReadModelRebuilds } from './read-model-rebuilds';
import { RebuildBusyError, rebuildLeaseName } from './rebuild-leases';

class IdsProjection implements Projection {
  readonly tables: Projection['tables'];
  readonly eventTypes = ['Counted'];

  constructor(readonly name: string) {
    this.tables = [{ name: `rm_${name}`, columns: 'event_id text PRIMARY KEY' }];
  }

  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    await tx.query(`INSERT INTO ${tables[`rm_${this.name}`]} SELECT * FROM unnest($1::text[])`, [events.map((e) => e.eventId)]);
  }
}

describe('ReadModelRebuilds (rebuilds inside the service)', () => {
  let db: PgliteDatabase;
  let store: PostgresEventStore;
  let rebuilds: ReadModelRebuilds;
  /** Opened by a test to let a rebuild past its first read of the log. */
  let release: () => void = () => undefined;
  let held: Promise<void> = Promise.resolve();
  const projections = [new IdsProjection('first'), new IdsProjection('second')];
  const holderOf = async (readModel: string) => (await new Leases(db).holder(rebuildLeaseName(readModel)))?.holder ?? null;
  const finished = async (readModel: string) => {
    while (rebuilds.job(readModel)?.state === 'running') await new Promise((resolve) => setTimeout(resolve, 10));
    return rebuilds.job(readModel);
  };

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    store = new PostgresEventStore(db);
    await store.append('s-1', [1, 2, 3].map(() => ({ eventId: randomUUID(), type: 'Counted', data: {}, metadata: { actor: 't', occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null } })), { expectedVersion: 0 });
    await prepareReadModels(db, projections);
    // The rebuild waits at each read of the log until the test lets it go.
    const paused = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readAll') return async (...args: Parameters<SealedEventLog['readAll']>) => (await held, target.readAll(...args));
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    rebuilds = new ReadModelRebuilds(db, paused, projections, Object.assign(new AppConfig(), { REBUILD_LEASE_TTL_MS: 60_000 }));
  });
  afterAll(async () => {
    release();
    await rebuilds.beforeApplicationShutdown();
    await db.close();
  });

  const hold = () => {
    held = new Promise<void>((resolve) => (release = resolve));
  };

  it('answers the running job of this process to a second start, and releases its lease when the job ends', async () => {
    hold();
    const [a, b] = await Promise.all([rebuilds.start(['first']), rebuilds.start(['first'])]);
    expect([a.started, b.started]).toEqual([true, false]);
    expect(b.job).toEqual(a.job);
    expect(await holderOf('first')).toBe(REPLICA_ID);
    release();
    expect(await finished('first')).toMatchObject({ state: 'succeeded' });
    expect(await holderOf('first')).toBeNull();
  });

  it('refuses to start, naming the holder, when another process holds a lease, and keeps no job for it', async () => {
    const other = await new Leases(db).tryAcquire(rebuildLeaseName('second'), 'replica-on-host-b', 60_000);
    await expect(rebuilds.start(['first', 'second'])).rejects.toEqual(new RebuildBusyError('second', 'replica-on-host-b'));
    expect(rebuilds.job('second')).toBeUndefined();
    // The lease of `first`, taken before `second` was found busy, was given back.
    expect(await holderOf('first')).toBeNull();
    await new Leases(db).release(other!);
    const { started } = await rebuilds.start(['first', 'second']);
    expect(started).toBe(true);
    expect(await finished('second')).toMatchObject({ state: 'succeeded', readModels: ['first', 'second'] });
  });

  it('fails the job with the lease named when another process takes the lease over mid-rebuild', async () => {
    hold();
    await rebuilds.start(['second']);
    await db.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1`, [rebuildLeaseName('second')]);
    await new Leases(db).tryAcquire(rebuildLeaseName('second'), 'replica-on-host-b', 60_000);
    release();
    expect(await finished('second')).toMatchObject({ state: 'failed', error: expect.stringContaining(`lease ${rebuildLeaseName('second')}`) });
    expect(await holderOf('second')).toBe('replica-on-host-b');
  });
});
