import { randomUUID } from 'node:crypto';
import { migrate, PgliteDatabase } from '@refund-desk/database';
import { EVENT_LOG_MIGRATIONS, PostgresEventStore, WrongExpectedVersionError } from '@refund-desk/event-store';
import { Clock, IdGenerator, Metrics } from '@refund-desk/platform';
import { VersionMismatchError } from '../errors/command-errors';
import { CommandContext } from './command-context';
import { StreamCommandHandler, StreamType } from './stream-command-handler';

// A stream that is not a case, to show the path is the same for any stream.
type TallyEvent = { readonly type: 'Counted'; readonly data: { readonly by: number } };
type Tally = { readonly counted: number; readonly exists: boolean };

class MissingTally extends Error {}

const TALLY: StreamType<Tally, TallyEvent> = {
  streamName: (id) => `tally-${id}`,
  initialState: () => ({ counted: 0, exists: false }),
  evolve: (state, event) => ({ counted: state.counted + event.data.by, exists: true }),
  toEvent: (recorded) => (recorded.type === 'Counted' ? { type: 'Counted', data: { by: Number(recorded.data.by) } } : undefined),
  exists: (state) => state.exists,
  notFound: (id) => new MissingTally(id),
  schemaVersion: 1,
  metadata: (state) => ({ countedBefore: state.counted }),
};

const count = (by: number): TallyEvent[] => [{ type: 'Counted', data: { by } }];
const FIXED_NOW = new Date('2026-10-01T12:00:00.000Z');

describe('StreamCommandHandler', () => {
  let db: PgliteDatabase;
  let store: PostgresEventStore;
  let handler: StreamCommandHandler;
  const context = (expectedVersion?: number): CommandContext => ({
    actor: { id: 'agent_ann', roles: ['agent'] },
    correlationId: 'corr-1',
    causationId: null,
    expectedVersion,
  });

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    store = new PostgresEventStore(db);
    const clock: Clock = { now: () => FIXED_NOW };
    const ids: IdGenerator = { newId: () => randomUUID() };
    handler = new StreamCommandHandler(store, clock, ids, new Metrics());
  });
  afterAll(() => db.close());

  /** Another writer's append, landing between this command's read and its append. */
  const racer = (id: string) => async () => {
    const [head] = (await store.readStream(TALLY.streamName(id))).slice(-1);
    await store.append(
      TALLY.streamName(id),
      [{ eventId: randomUUID(), type: 'Counted', data: { by: 100 }, metadata: { actor: 'other', occurredAt: FIXED_NOW.toISOString(), correlationId: 'x', causationId: null } }],
      { expectedVersion: head?.version ?? 0 },
    );
  };

  it('loads, folds, decides on the state and appends at the version read, with fresh ids and the stream type metadata', async () => {
    const id = randomUUID();
    const first = await handler.handle('Count', TALLY, id, context(), () => count(2), { creates: true });
    const second = await handler.handle('Count', TALLY, id, context(), (state) => count(state.counted + 1));
    expect(first).toMatchObject({ version: 1, state: { counted: 2 }, duplicate: false });
    expect(second).toMatchObject({ version: 2, state: { counted: 5 }, duplicate: false, events: [{ type: 'Counted', version: 2 }] });
    expect(second.position).toBeGreaterThan(first.position!);
    const stored = await store.readStream(TALLY.streamName(id));
    expect(new Set(stored.map((e) => e.eventId)).size).toBe(2);
    expect(stored[1].metadata).toMatchObject({ actor: 'agent_ann', occurredAt: FIXED_NOW.toISOString(), correlationId: 'corr-1', countedBefore: 2 });
  });

  it('refuses a stream that does not exist unless the command creates it', async () => {
    await expect(handler.handle('Count', TALLY, randomUUID(), context(), () => count(1))).rejects.toBeInstanceOf(MissingTally);
  });

  it('decides again on fresh state after losing a race, a bounded number of times', async () => {
    const id = randomUUID();
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true });
    const seen: number[] = [];
    const result = await handler.handle('Count', TALLY, id, context(), async (state) => {
      seen.push(state.counted);
      if (seen.length < 3) await racer(id)();
      return count(1);
    });
    expect(seen).toEqual([1, 101, 201]);
    expect(result).toMatchObject({ version: 4, state: { counted: 202 } });

    const attempts: number[] = [];
    const lost = handler.handle('Count', TALLY, id, context(), async (state) => {
      attempts.push(state.counted);
      await racer(id)();
      return count(1);
    });
    await expect(lost).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(attempts).toHaveLength(3);
  });

  it('retries as often as its retry policy says, pausing between attempts', async () => {
    const id = randomUUID();
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true });
    const pauses: number[] = [];
    let calls = 0;
    const result = await handler.handle(
      'Count',
      TALLY,
      id,
      context(),
      async () => {
        calls += 1;
        if (calls < 5) await racer(id)();
        return count(1);
      },
      { retry: { attempts: 5, pause: async (attempt) => void pauses.push(attempt) } },
    );
    expect(calls).toBe(5);
    expect(pauses).toEqual([1, 2, 3, 4]);
    expect(result.version).toBe(6);
  });

  it("answers 412 (VersionMismatchError) when the caller's expected version is stale, without deciding", async () => {
    const id = randomUUID();
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true });
    const decide = jest.fn(() => count(1));
    const stale = handler.handle('Count', TALLY, id, context(0), decide);
    await expect(stale).rejects.toMatchObject({ constructor: VersionMismatchError, expected: 0, actual: 1 });
    expect(decide).not.toHaveBeenCalled();
  });

  it('does not retry a race when the caller pinned the version: 412 with the version the stream moved to', async () => {
    const id = randomUUID();
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true });
    let calls = 0;
    const pinned = handler.handle('Count', TALLY, id, context(1), async () => {
      calls += 1;
      await racer(id)();
      return count(1);
    });
    await expect(pinned).rejects.toMatchObject({ constructor: VersionMismatchError, expected: 1, actual: 2 });
    expect(calls).toBe(1);
  });

  it('replays by fixed event ids: the repeat appends nothing and answers what the first time recorded', async () => {
    const id = randomUUID();
    const eventIds = [randomUUID()];
    const first = await handler.handle('Count', TALLY, id, context(), () => count(7), { creates: true, eventIds });
    await handler.handle('Count', TALLY, id, context(), () => count(1));
    const decide = jest.fn(() => count(7));
    const again = await handler.handle('Count', TALLY, id, context(), decide, { creates: true, eventIds });
    expect(decide).not.toHaveBeenCalled();
    expect(again).toEqual({ ...first, duplicate: true });
    expect((await store.readStream(TALLY.streamName(id))).map((e) => e.eventId)[0]).toBe(eventIds[0]);
    expect(await store.readStream(TALLY.streamName(id))).toHaveLength(2);
  });

  it('records nothing when the decision has no events, and says so', async () => {
    const id = randomUUID();
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true });
    const result = await handler.handle('Count', TALLY, id, context(), () => []);
    expect(result).toEqual({ version: 1, state: { counted: 1, exists: true }, position: null, events: [], duplicate: true });
  });

  it('skips reading a stream whose id was just minted, and still refuses to start it twice', async () => {
    const id = randomUUID();
    const read = jest.spyOn(store, 'readStream');
    await handler.handle('Count', TALLY, id, context(), () => count(1), { creates: true, freshStream: true });
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
    const decided: number[] = [];
    const result = await handler.handle('Count', TALLY, id, context(), (state) => (decided.push(state.counted), count(1)), { creates: true, freshStream: true });
    // The first attempt assumed an empty stream and lost; the retry read it.
    expect(decided).toEqual([0, 1]);
    expect(result.version).toBe(2);
  });
});
