import { randomUUID } from 'node:crypto';
import { runCatchUp } from '../catch-up';
import { EventIdConflictError, WrongExpectedVersionError } from '../errors';
import { EventStoreOperations, NewEvent, RecordedEvent } from '../event-store';
import { GENESIS_HASH, hashEvent } from '../hash-chain';

export interface ContractFixture {
  readonly store: EventStoreOperations;
  /**
   * Starts a transaction that appends one event to `streamId` and keeps it open; `commit`
   * finishes it. Only stores where a slower writer can commit a lower position need it.
   */
  readonly appendInOpenTransaction?: (streamId: string, eventId: string) => Promise<{ commit(): Promise<void> }>;
  /**
   * Waits until every committed event can be read from the global log. Where readers stop at a
   * server-wide horizon (PostgreSQL: any transaction on the server, another suite's included, holds
   * it), a read right after an append may rightly see nothing yet; the tests wait for the log,
   * as a reader would, rather than for their neighbours to be quiet.
   */
  readonly untilVisible?: () => Promise<void>;
  dispose(): Promise<void>;
}

export const newEvent = (type = 'SomethingHappened', data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: { ...data, n: Math.random() },
  metadata: {
    actor: 'tester',
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: null,
  },
});

const stream = (prefix = 'contractTest'): string => `${prefix}-${randomUUID()}`;

async function readEverything(store: EventStoreOperations, after: string | null = null, limit = 1000): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let checkpoint = after;
  for (;;) {
    const page = await store.readAll({ after: checkpoint, limit });
    all.push(...page.events);
    if (page.events.length < limit) return all;
    checkpoint = page.checkpoint;
  }
}

/** The behaviour every event store adapter must show; run by each adapter's integration suite. */
export function eventStoreContract(makeFixture: () => Promise<ContractFixture>): void {
  let fixture: ContractFixture;
  let store: EventStoreOperations;

  beforeAll(async () => {
    fixture = await makeFixture();
    store = fixture.store;
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('appends to a new stream and reads it back with contiguous versions and increasing positions', async () => {
    const id = stream();
    const events = [newEvent('A'), newEvent('B'), newEvent('C')];
    const result = await store.append(id, events, { expectedVersion: 0 });
    expect(result.version).toBe(3);
    expect(result.duplicate).toBe(false);
    const read = await store.readStream(id);
    expect(read.map((e) => [e.version, e.type, e.eventId])).toEqual(events.map((e, i) => [i + 1, e.type, e.eventId]));
    expect(read.map((e) => e.position)).toEqual(result.events.map((e) => e.position));
    for (let i = 1; i < read.length; i++) expect(read[i].position).toBeGreaterThan(read[i - 1].position);
    expect(read[0].data).toEqual(events[0].data);
    expect(read[0].metadata).toMatchObject(events[0].metadata);
  });

  it('answers an append with the events exactly as a later read returns them', async () => {
    const id = stream();
    const one = await store.append(id, [newEvent('A')], { expectedVersion: 0 });
    const two = await store.append(id, [newEvent('B'), newEvent('C')], { expectedVersion: 1 });
    const read = await store.readStream(id);
    expect([...one.events, ...two.events]).toEqual(read);
    await fixture.untilVisible?.();
    expect(await readEverything(store, null)).toEqual(expect.arrayContaining(read));
  });

  it('chains each event hash to the previous event of the stream', async () => {
    const id = stream();
    await store.append(id, [newEvent('A')], { expectedVersion: 0 });
    await store.append(id, [newEvent('B'), newEvent('C')], { expectedVersion: 1 });
    const read = await store.readStream(id);
    let previous = GENESIS_HASH;
    for (const event of read) {
      expect(event.metadata.prevHash).toBe(previous);
      expect(event.metadata.hash).toBe(hashEvent(previous, event));
      previous = event.metadata.hash;
    }
  });

  it('refuses an append at a stale expected version with a typed error naming the actual version', async () => {
    const id = stream();
    await store.append(id, [newEvent(), newEvent()], { expectedVersion: 0 });
    await expect(store.append(id, [newEvent()], { expectedVersion: 1 })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      streamId: id,
      expected: 1,
      actual: 2,
    });
    await expect(store.append(id, [newEvent()], { expectedVersion: 0 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(store.append(id, [newEvent()], { expectedVersion: 5 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await store.readStream(id)).length).toBe(2);
  });

  it("appends with 'any' after whatever is there", async () => {
    const id = stream();
    await store.append(id, [newEvent()], { expectedVersion: 'any' });
    const result = await store.append(id, [newEvent()], { expectedVersion: 'any' });
    expect(result.version).toBe(2);
  });

  it('lets exactly one of many concurrent appends with the same expected version win', async () => {
    const id = stream();
    await store.append(id, [newEvent()], { expectedVersion: 0 });
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, () => store.append(id, [newEvent('Race')], { expectedVersion: 1 })),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedVersionError);
    expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
  });

  it('answers each of many concurrent appends on its own: a stale one fails alone', async () => {
    const streams = Array.from({ length: 16 }, () => stream());
    await Promise.all(streams.map((id) => store.append(id, [newEvent('First')], { expectedVersion: 0 })));
    const replayed = [newEvent('Replayed')];
    await store.append(streams[3], replayed, { expectedVersion: 1 });
    const attempts = await Promise.allSettled(
      streams.map((id, i) =>
        i === 3
          ? store.append(id, replayed, { expectedVersion: 1 })
          : store.append(id, [newEvent('Second'), newEvent('Third')], { expectedVersion: i === 7 ? 0 : 1 }),
      ),
    );
    attempts.forEach((attempt, i) => {
      if (i === 7) {
        expect(attempt).toMatchObject({ status: 'rejected', reason: { constructor: WrongExpectedVersionError, expected: 0, actual: 1 } });
      } else if (i === 3) {
        expect(attempt).toMatchObject({ status: 'fulfilled', value: { duplicate: true, version: 2 } });
      } else {
        expect(attempt).toMatchObject({ status: 'fulfilled', value: { duplicate: false, version: 3 } });
      }
    });
    const versions = await Promise.all(streams.map(async (id) => (await store.readStream(id)).map((e) => e.type)));
    versions.forEach((types, i) => expect(types).toEqual(i === 7 ? ['First'] : i === 3 ? ['First', 'Replayed'] : ['First', 'Second', 'Third']));
  });

  it('stores an event id once: a repeated append returns the first result and writes nothing', async () => {
    const id = stream();
    const events = [newEvent('A'), newEvent('B')];
    const first = await store.append(id, events, { expectedVersion: 0 });
    const again = await store.append(id, events, { expectedVersion: 0 });
    expect(again.duplicate).toBe(true);
    expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
    const concurrent = await Promise.all([1, 2, 3].map(() => store.append(id, events, { expectedVersion: 'any' })));
    for (const result of concurrent) expect(result.duplicate).toBe(true);
    expect((await store.readStream(id)).length).toBe(2);
  });

  it('refuses an append that repeats only some stored event ids', async () => {
    const id = stream();
    const stored = newEvent('A');
    await store.append(id, [stored], { expectedVersion: 0 });
    await expect(store.append(id, [stored, newEvent('B')], { expectedVersion: 1 })).rejects.toBeInstanceOf(
      EventIdConflictError,
    );
    expect((await store.readStream(id)).length).toBe(1);
  });

  it('reads a stream from and up to a version, and up to a time', async () => {
    const id = stream();
    await store.append(id, [newEvent('A'), newEvent('B')], { expectedVersion: 0 });
    // Stores keep microseconds; a millisecond taken at once could fall before the last write.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append(id, [newEvent('C'), newEvent('D')], { expectedVersion: 2 });
    expect((await store.readStream(id, { fromVersion: 2, toVersion: 3 })).map((e) => e.type)).toEqual(['B', 'C']);
    expect((await store.readStream(id, { recordedUpTo: between })).map((e) => e.type)).toEqual(['A', 'B']);
    expect(await store.readStream(stream())).toEqual([]);
  });

  it('reads the global log in order, page by page, from a checkpoint', async () => {
    const start = (await store.head()).checkpoint;
    const ids = [stream(), stream()];
    for (let i = 0; i < 5; i++) await store.append(ids[i % 2], [newEvent(`E${i}`)], { expectedVersion: Math.floor(i / 2) });
    await fixture.untilVisible?.();
    const read = await readEverything(store, start, 2);
    expect(read.map((e) => e.type)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
    for (let i = 1; i < read.length; i++) {
      expect(store.compareCheckpoints(read[i].checkpoint, read[i - 1].checkpoint)).toBeGreaterThan(0);
    }
    const head = await store.head();
    expect(head.position).toBe(read[read.length - 1].position);
    expect(await store.checkpointAt(read[2].position)).toBe(read[2].checkpoint);
    expect(await store.checkpointAt(Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it('filters the log by type and stream prefix and still moves the checkpoint to the head', async () => {
    const start = (await store.head()).checkpoint;
    const wanted = stream('contractWanted');
    await store.append(wanted, [newEvent('Wanted')], { expectedVersion: 0 });
    await store.append(stream('contractOther'), [newEvent('Other')], { expectedVersion: 0 });
    await fixture.untilVisible?.();
    const byType = await store.readAll({ after: start, limit: 100, types: ['Wanted'] });
    expect(byType.events.map((e) => e.streamId)).toEqual([wanted]);
    expect(byType.checkpoint).toBe((await store.head()).checkpoint);
    const byPrefix = await store.readAll({ after: start, limit: 100, streamPrefixes: ['contractWanted-'] });
    expect(byPrefix.events.map((e) => e.streamId)).toEqual([wanted]);
  });

  it('tells local readers when something was appended', async () => {
    let calls = 0;
    const off = store.onAppended(() => (calls += 1));
    await store.append(stream(), [newEvent()], { expectedVersion: 0 });
    off();
    await store.append(stream(), [newEvent()], { expectedVersion: 0 });
    expect(calls).toBe(1);
  });

  it('catches up from a checkpoint and delivers every event exactly once, in log order', async () => {
    const start = (await store.head()).checkpoint;
    const id = stream();
    const appended: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = newEvent(`C${i}`);
      appended.push(event.eventId);
      await store.append(id, [event], { expectedVersion: i });
    }
    let saved = start;
    const seen: string[] = [];
    const run = async (stopAfter: number): Promise<void> => {
      const controller = new AbortController();
      await runCatchUp(
        store,
        {
          name: 'contract',
          batchSize: 7,
          idleWaitMs: 20,
          streamPrefixes: [`${id}`],
          loadCheckpoint: async () => saved,
          handle: async (events, checkpoint) => {
            seen.push(...events.map((e) => e.eventId));
            saved = checkpoint;
            if (seen.length >= stopAfter) controller.abort();
          },
        },
        controller.signal,
      );
    };
    await run(10);
    await run(30);
    expect(seen).toEqual(appended);
  });

  it('never skips an event that a slower transaction commits after a later one', async () => {
    if (!fixture.appendInOpenTransaction) {
      // Stores that assign positions at commit (PGlite's single writer, EventStoreDB) have no such gap.
      expect(fixture.store.name).not.toBe('postgres');
      return;
    }
    const start = (await store.head()).checkpoint;
    const slowEvent = randomUUID();
    const slow = await fixture.appendInOpenTransaction(stream(), slowEvent);
    const fast = newEvent('Fast');
    await store.append(stream(), [fast], { expectedVersion: 0 });

    const seen: RecordedEvent[] = [];
    const first = await store.readAll({ after: start, limit: 100 });
    seen.push(...first.events);
    await slow.commit();
    await fixture.untilVisible?.();
    const second = await store.readAll({ after: first.checkpoint, limit: 100 });
    seen.push(...second.events);

    const ids = seen.map((e) => e.eventId);
    expect(ids).toContain(slowEvent);
    expect(ids).toContain(fast.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    // The slow writer took its position first, so it is the lower one, yet it was not skipped.
    const slowPosition = seen.find((e) => e.eventId === slowEvent)!.position;
    expect(slowPosition).toBeLessThan(seen.find((e) => e.eventId === fast.eventId)!.position);
  });
}
