import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SQL_DATABASE } from '@refund-desk/database';
import { AppConfig, loadAppConfig } from '@refund-desk/platform';
import {
  chainEvents,
  EventIdConflictError,
  EventStoreDbEventStore,
  EventStoreUnavailableError,
  GENESIS_HASH,
  hashEvent,
  NewEvent,
  RecordedEvent,
  EventStoreModule,
  runCatchUp,
  SealedEventLog,
  WrongExpectedVersionError,
} from '@refund-desk/event-store';
import {
  AppendRequest,
  CallEnd,
  EsdbTestServer,
  ReadAnswer,
  ReadRequest,
  WireEvent,
} from '../../support/eventstoredb-grpc/esdb-test-server';

/**
 * The EventStoreDB adapter driven through @eventstore/db-client against an in-process gRPC
 * double of a node: what the adapter asks for on the wire, and what it makes of the answers.
 * The full behaviour against a real server is eventstoredb-event-store.int-spec.ts.
 */

const CATEGORIES = ['refundCase-', 'refundPolicy-'];
const CREATED = new Date('2026-03-01T09:00:00.000Z');

const newEvent = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: { ...data, n: Math.random() },
  metadata: { actor: 'agent_ann', occurredAt: '2026-03-01T08:59:59.000Z', correlationId: randomUUID(), causationId: null, customerId: 'cus_81' },
});

/** Events as the adapter would have stored them: chained hashes and the schema version in the metadata. */
function stored(streamId: string, events: readonly NewEvent[], firstPosition: number, firstRevision = 0, prevHash = GENESIS_HASH): WireEvent[] {
  const chained = chainEvents(
    prevHash,
    events.map((event, i) => ({ streamId, version: firstRevision + i + 1, eventId: event.eventId, type: event.type, schemaVersion: 1, data: event.data, metadata: event.metadata })),
  );
  return chained.map((event, i) => ({
    streamId,
    revision: firstRevision + i,
    position: firstPosition + i * 100,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, $schemaVersion: 1 },
    created: CREATED,
  }));
}

/** What a node sends back when the events of an append request are read. */
const echo = (request: AppendRequest, firstRevision: number, firstPosition: number, created = CREATED): WireEvent[] =>
  request.events.map((event, i) => ({
    streamId: request.streamId,
    revision: firstRevision + i,
    position: firstPosition + i * 100,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    created,
  }));

const wire = (streamId: string, revision: number, position: number, type = 'Something'): WireEvent => ({
  streamId,
  revision,
  position,
  eventId: randomUUID(),
  type,
  data: { revision },
  metadata: { actor: 'x', occurredAt: CREATED.toISOString(), correlationId: 'c', causationId: null, prevHash: 'p', hash: 'h', $schemaVersion: 1 },
  created: CREATED,
});

const events = (list: readonly WireEvent[], end: CallEnd = 'complete'): ReadAnswer => ({ steps: list.map((event) => ({ event })), end });
const NOT_FOUND: ReadAnswer = { steps: [{ streamNotFound: true }], end: 'complete' };
const checkpointOf = (position: number): string => `esdb:${position}:${position}`;

const UNAVAILABLE: CallEnd = { code: grpc.status.UNAVAILABLE, details: 'node going away' };

describe('EventStoreDbEventStore over gRPC, against a protocol double of a node', () => {
  let server: EsdbTestServer;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    server = await EsdbTestServer.start();
    store = EventStoreDbEventStore.connect(server.url, { streamPrefixes: CATEGORIES, readIdleTimeoutMs: 3_000 });
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
    expect(server.unusedAnswers).toBe(0);
  });

  describe('append', () => {
    it('creates a stream: reads it first, asks the node for its features, sends no_stream with ids, types and chained metadata, and reads the events back', async () => {
      const streamId = 'refundCase-c1';
      const first = newEvent('RequestLogged', { amount: 4990 });
      const second = newEvent('NoteAdded');
      server.answerRead(NOT_FOUND);
      server.answerAppend({ success: { currentRevision: 1, position: { commit: 1100, prepare: 1100 } } });
      server.answerRead(() => events(echo(server.appends()[0], 0, 1000)));
      let notified = 0;
      store.onAppended(() => (notified += 1));

      const result = await store.append(streamId, [first, second], { expectedVersion: 0 });

      expect(server.methods()).toEqual(['Streams.Read', 'ServerFeatures.GetSupportedMethods', 'Streams.BatchAppend', 'Streams.Read']);
      expect(server.reads()[0]).toEqual({ target: 'stream', streamId, from: 0, count: Number.MAX_SAFE_INTEGER, direction: 'forwards' });
      const [append] = server.appends();
      expect(append.streamId).toBe(streamId);
      expect(append.expected).toBe('no_stream');
      expect(append.events.map((e) => [e.eventId, e.type, e.contentType])).toEqual([
        [first.eventId, 'RequestLogged', 'application/json'],
        [second.eventId, 'NoteAdded', 'application/json'],
      ]);
      expect(append.events[0].data).toEqual(first.data);
      // Hash rule 2: the recorded time is fixed before hashing, travels in the metadata and is hashed.
      const recordedAt = (append.events[0].metadata as { $recordedAt: string }).$recordedAt;
      expect(recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const v2 = (metadata: object) => ({ ...metadata, hashVersion: 2 }) as unknown as typeof first.metadata;
      const firstHash = hashEvent(GENESIS_HASH, { streamId, version: 1, eventId: first.eventId, type: first.type, schemaVersion: 1, data: first.data, metadata: v2(first.metadata), recordedAt });
      const secondHash = hashEvent(firstHash, { streamId, version: 2, eventId: second.eventId, type: second.type, schemaVersion: 1, data: second.data, metadata: v2(second.metadata), recordedAt });
      expect(append.events[0].metadata).toEqual({ ...v2(first.metadata), prevHash: GENESIS_HASH, hash: firstHash, $schemaVersion: 1, $recordedAt: recordedAt });
      expect(append.events[1].metadata).toEqual({ ...v2(second.metadata), prevHash: firstHash, hash: secondHash, $schemaVersion: 1, $recordedAt: recordedAt });
      expect(server.reads()[1]).toEqual({ target: 'stream', streamId, from: 0, count: 2, direction: 'forwards' });

      expect(result.duplicate).toBe(false);
      expect(result.version).toBe(2);
      expect(result.events.map((e) => [e.eventId, e.version, e.position, e.checkpoint, e.recordedAt])).toEqual([
        [first.eventId, 1, 1000, checkpointOf(1000), recordedAt],
        [second.eventId, 2, 1100, checkpointOf(1100), recordedAt],
      ]);
      expect(result.events[1].metadata).toEqual({ ...v2(second.metadata), prevHash: firstHash, hash: secondHash });
      expect(result.events[1].schemaVersion).toBe(1);
      expect(notified).toBe(1);
    });

    it('appends at the revision before the expected version and chains from the hash stored there', async () => {
      const streamId = 'refundCase-c2';
      const history = stored(streamId, [newEvent('RequestLogged'), newEvent('NoteAdded')], 500);
      const next = newEvent('Escalated', { priority: 'high' });
      server.answerRead(events(history));
      server.answerAppend({ success: { currentRevision: 2, position: { commit: 900, prepare: 900 } } });
      server.answerRead(() => events(echo(server.appends()[0], 2, 900)));

      const result = await store.append(streamId, [next], { expectedVersion: 2 });

      const [append] = server.appends();
      expect(append.expected).toEqual({ revision: 1 });
      const prevHash = (history[1].metadata as { hash: string }).hash;
      const recordedAt = (append.events[0].metadata as { $recordedAt: string }).$recordedAt;
      const metadata = { ...next.metadata, hashVersion: 2 };
      expect(append.events[0].metadata).toMatchObject({ prevHash, hash: hashEvent(prevHash, { streamId, version: 3, eventId: next.eventId, type: next.type, schemaVersion: 1, data: next.data, metadata, recordedAt }) });
      // Never before the event it follows (the history was recorded at the node's `created`, a rule-1 event).
      expect(Date.parse(recordedAt)).toBeGreaterThanOrEqual(Date.parse(history[1].created.toISOString()));
      expect(server.reads()[1]).toMatchObject({ from: 2, count: 1 });
      expect(result).toMatchObject({ version: 3, duplicate: false });
    });

    it('reads the hashed $recordedAt as the recorded time, and never records an event before the one it follows', async () => {
      const streamId = 'refundCase-c2b';
      const ahead = new Date(Date.now() + 60_000).toISOString();
      const [only] = chainEvents(GENESIS_HASH, [newEvent('RequestLogged')].map((event) => ({ streamId, version: 1, eventId: event.eventId, type: event.type, schemaVersion: 1, data: event.data, metadata: event.metadata })), ahead);
      const history: WireEvent[] = [{ streamId, revision: 0, position: 300, eventId: only.eventId, type: only.type, data: only.data, metadata: { ...only.metadata, $schemaVersion: 1, $recordedAt: ahead }, created: CREATED }];
      server.answerRead(events(history));
      const read = await store.readStream(streamId);
      expect(read[0].recordedAt).toBe(ahead);
      expect(read[0].metadata).not.toHaveProperty('$recordedAt');

      server.answerRead(events(history));
      server.answerAppend({ success: { currentRevision: 1, position: { commit: 400, prepare: 400 } } });
      server.answerRead(() => events(echo(server.appends()[0], 1, 400)));
      await store.append(streamId, [newEvent('NoteAdded')], { expectedVersion: 1 });
      expect((server.appends()[0].events[0].metadata as { $recordedAt: string }).$recordedAt).toBe(ahead);
    });

    it('refuses a stale expected version from what it read, naming the actual version, without sending an append', async () => {
      const streamId = 'refundCase-c3';
      server.answerRead(events(stored(streamId, [newEvent('A'), newEvent('B')], 100)));
      await expect(store.append(streamId, [newEvent('C')], { expectedVersion: 1 })).rejects.toMatchObject({
        constructor: WrongExpectedVersionError,
        streamId,
        expected: 1,
        actual: 2,
      });
      expect(server.methods()).toEqual(['Streams.Read']);
    });

    it("turns the node's wrong-expected-version answer into the port's error with the version another writer left", async () => {
      const streamId = 'refundCase-c4';
      const mine = newEvent('A');
      const history = stored(streamId, [mine], 100);
      server.answerRead(events(history));
      server.answerAppend({ wrongExpectedVersion: { currentRevision: 1 } });
      server.answerRead(events(stored(streamId, [mine, newEvent('TheirEvent')], 100)));

      await expect(store.append(streamId, [newEvent('B')], { expectedVersion: 1 })).rejects.toMatchObject({
        constructor: WrongExpectedVersionError,
        expected: 1,
        actual: 2,
      });
      expect(server.appends()[0].expected).toEqual({ revision: 0 });
      expect(server.methods()).toEqual(['Streams.Read', 'ServerFeatures.GetSupportedMethods', 'Streams.BatchAppend', 'Streams.Read']);
    });

    it('answers a repeated append with the stored events, marked duplicate, and sends nothing', async () => {
      const streamId = 'refundCase-c5';
      const batch = [newEvent('A'), newEvent('B')];
      server.answerRead(events(stored(streamId, batch, 300)));
      let notified = 0;
      store.onAppended(() => (notified += 1));

      const result = await store.append(streamId, batch, { expectedVersion: 0 });

      expect(result.duplicate).toBe(true);
      expect(result.events.map((e) => [e.eventId, e.position])).toEqual([
        [batch[0].eventId, 300],
        [batch[1].eventId, 400],
      ]);
      expect(server.methods()).toEqual(['Streams.Read']);
      expect(notified).toBe(0);
    });

    it('counts a racing retry that the node refused but that stored the same events as a duplicate', async () => {
      const streamId = 'refundCase-c6';
      const first = newEvent('A');
      const retried = [newEvent('B')];
      server.answerRead(events(stored(streamId, [first], 100)));
      server.answerAppend({ wrongExpectedVersion: { currentRevision: 1 } });
      server.answerRead(events(stored(streamId, [first, ...retried], 100)));

      const result = await store.append(streamId, retried, { expectedVersion: 1 });

      expect(result).toMatchObject({ duplicate: true, version: 2 });
      expect(result.events.map((e) => e.eventId)).toEqual([retried[0].eventId]);
    });

    it('refuses an append that repeats only some stored ids, before sending it', async () => {
      const streamId = 'refundCase-c7';
      const kept = newEvent('A');
      server.answerRead(events(stored(streamId, [kept], 100)));
      await expect(store.append(streamId, [kept, newEvent('B')], { expectedVersion: 1 })).rejects.toBeInstanceOf(EventIdConflictError);
      expect(server.appends()).toEqual([]);
    });

    it("appends with 'any' at the revision it read, and tries again after the node says another writer got in first", async () => {
      const streamId = 'refundPolicy-current';
      const history = stored(streamId, [newEvent('PolicyRevised')], 100);
      const grown = stored(streamId, [newEvent('PolicyRevised'), newEvent('PolicyRevised')], 100);
      const next = newEvent('PolicyRevised', { version: 3 });
      server.answerRead(events(history));
      server.answerAppend({ wrongExpectedVersion: { currentRevision: 1 } });
      server.answerRead(events(grown));
      server.answerAppend({ success: { currentRevision: 2, position: { commit: 700, prepare: 700 } } });
      server.answerRead(() => events(echo(server.appends()[1], 2, 700)));

      const result = await store.append(streamId, [next], { expectedVersion: 'any' });

      expect(server.appends().map((a) => a.expected)).toEqual([{ revision: 0 }, { revision: 1 }]);
      expect(server.appends()[1].events[0].metadata).toMatchObject({ prevHash: (grown[1].metadata as { hash: string }).hash });
      expect(result).toMatchObject({ version: 3, duplicate: false });
    });

    it('reports a dropped connection during an append as unavailable', async () => {
      server.answerRead(NOT_FOUND);
      server.answerAppend({ error: { code: grpc.status.UNAVAILABLE, details: 'leader lost' } });
      await expect(store.append('refundCase-c8', [newEvent('A')], { expectedVersion: 0 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });

  describe('readStream', () => {
    it('reads a missing stream as empty', async () => {
      server.answerRead(NOT_FOUND);
      expect(await store.readStream('refundCase-none')).toEqual([]);
    });

    it('asks for the revisions of a version range', async () => {
      const streamId = 'refundCase-r1';
      const all = stored(streamId, [newEvent('A'), newEvent('B'), newEvent('C')], 100);
      server.answerRead(events(all.slice(1, 3)));
      const read = await store.readStream(streamId, { fromVersion: 2, toVersion: 3 });
      expect(server.reads()[0]).toEqual({ target: 'stream', streamId, from: 1, count: 2, direction: 'forwards' });
      expect(read.map((e) => [e.type, e.version])).toEqual([
        ['B', 2],
        ['C', 3],
      ]);
    });

    it('keeps only events the node recorded up to a time', async () => {
      const streamId = 'refundCase-r2';
      const all = stored(streamId, [newEvent('A'), newEvent('B'), newEvent('C')], 100).map((event, i) => ({
        ...event,
        created: new Date(CREATED.getTime() + i * 1000),
      }));
      server.answerRead(events(all));
      const read = await store.readStream(streamId, { recordedUpTo: new Date(CREATED.getTime() + 1000) });
      expect(read.map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('reports a node that fails the read as unavailable', async () => {
      server.answerRead({ steps: [], end: UNAVAILABLE });
      await expect(store.readStream('refundCase-r3')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });

  describe('head and readAll', () => {
    it('finds the head by reading $all backwards past system and foreign events, then scans only what is new', async () => {
      const ours = wire('refundCase-h1', 4, 6_000);
      const firstPage = Array.from({ length: 64 }, (_, i) => wire(i % 2 ? '$statistics-127.0.0.1:2113' : 'inventory-9', i, 20_000 - i * 100, '$statsCollected'));
      server.answerRead(events(firstPage), events([wire('$scavenges', 0, 13_000), ours, wire('refundCase-h0', 0, 5_000)]));
      const head = await store.head();
      expect(head).toEqual({ checkpoint: checkpointOf(6_000), position: 6_000, recordedAt: CREATED.toISOString() });
      expect(server.reads()).toEqual([
        { target: '$all', from: 'end', count: 64, direction: 'backwards', subscription: false, filter: null, resolveLinks: false },
        { target: '$all', from: { commit: 13_700, prepare: 13_700 }, count: 64, direction: 'backwards', subscription: false, filter: null, resolveLinks: false },
      ]);

      server.answerRead(events([wire('inventory-9', 99, 30_000), firstPage[0]]));
      expect((await store.head()).checkpoint).toBe(checkpointOf(6_000));
      expect(server.reads()).toHaveLength(3);
    });

    it('has no head on a log without events of its streams', async () => {
      server.answerRead(events([wire('$settings', 0, 100)]));
      expect(await store.head()).toEqual({ checkpoint: null, position: null, recordedAt: null });
    });

    it('reads $all after a checkpoint through a subscription filtered on its stream prefixes, up to the head it read first', async () => {
      const head = wire('refundCase-a', 1, 4_800);
      server.answerRead(events([wire('$statistics', 9, 5_000), wire('inventory-2', 0, 4_900), head]));
      server.answerRead({ steps: [{ confirmation: 'sub-1' }, { event: wire('refundCase-a', 0, 4_000) }, { event: head }], end: 'hold' });

      const page = await store.readAll({ after: checkpointOf(3_000), limit: 10 });

      expect(server.reads()[1]).toEqual({
        target: '$all',
        from: { commit: 3_000, prepare: 3_000 },
        count: null,
        direction: 'forwards',
        subscription: true,
        filter: { on: 'streamName', prefixes: CATEGORIES, regex: '' },
        resolveLinks: false,
      });
      expect(page.events.map((e) => e.position)).toEqual([4_000, 4_800]);
      expect(page.checkpoint).toBe(checkpointOf(4_800));
    });

    it("narrows the caller's prefixes to its own, filters types itself, and ends the page at the node's caught-up notice with the head as checkpoint", async () => {
      server.answerRead(events([wire('refundCase-zzz', 3, 9_000)]));
      server.answerRead({
        steps: [
          { event: wire('refundCase-abc', 0, 5_000, 'Wanted') },
          { event: wire('refundCase-abc', 1, 6_000, 'Other') },
          { checkpoint: { commit: 8_000, prepare: 8_000 } },
          { caughtUp: true },
        ],
        end: 'hold',
      });

      const page = await store.readAll({ after: null, limit: 10, types: ['Wanted'], streamPrefixes: ['refundCase-abc', 'elsewhere-'] });

      const subscription = server.reads()[1] as Extract<ReadRequest, { target: '$all' }>;
      expect(subscription.from).toBe('start');
      expect(subscription.filter).toEqual({ on: 'streamName', prefixes: ['refundCase-abc'], regex: '' });
      expect(page.events.map((e) => e.type)).toEqual(['Wanted']);
      expect(page.checkpoint).toBe(checkpointOf(9_000));
    });

    it('returns a full page and continues from its last event', async () => {
      server.answerRead(events([wire('refundCase-b', 5, 9_000)]));
      server.answerRead(events([1_000, 2_000, 3_000].map((position, i) => wire('refundCase-b', i, position)), 'hold'));
      const page = await store.readAll({ after: null, limit: 2 });
      expect(page.events.map((e) => e.position)).toEqual([1_000, 2_000]);
      expect(page.checkpoint).toBe(checkpointOf(2_000));
    });

    it('does not subscribe when nothing of its streams lies beyond the checkpoint', async () => {
      server.answerRead(events([wire('inventory-1', 0, 9_000), wire('refundCase-c', 0, 7_000)]));
      const page = await store.readAll({ after: checkpointOf(7_000), limit: 10 });
      expect(page).toEqual({ events: [], checkpoint: checkpointOf(7_000) });
      expect(server.reads()).toHaveLength(1);
    });

    it('reports a subscription the node drops mid-page as unavailable', async () => {
      server.answerRead(events([wire('refundCase-d', 4, 9_000)]));
      server.answerRead({ steps: [{ event: wire('refundCase-d', 0, 1_000) }], end: UNAVAILABLE });
      await expect(store.readAll({ after: null, limit: 10 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });

    it('gives up on a page the node goes silent on before catching up, as unavailable', async () => {
      const impatient = EventStoreDbEventStore.connect(server.url, { streamPrefixes: CATEGORIES, readIdleTimeoutMs: 150 });
      try {
        server.answerRead(events([wire('refundCase-f', 4, 9_000)]));
        server.answerRead({ steps: [{ confirmation: 'sub-1' }, { event: wire('refundCase-f', 0, 1_000) }], end: 'hold' });
        await expect(impatient.readAll({ after: null, limit: 10, streamPrefixes: ['refundCase-f'] })).rejects.toThrow(
          /sent nothing for 150 ms/,
        );
      } finally {
        await impatient.close();
      }
    });

    it('finds the checkpoint of a position by reading $all forwards from it', async () => {
      const at = wire('refundCase-e', 0, 2_000);
      server.answerRead(events([wire('refundCase-e', 1, 3_000)]), events([at]));
      expect(await store.checkpointAt(2_000)).toBe(checkpointOf(2_000));
      expect(server.reads()[1]).toMatchObject({ target: '$all', from: { commit: 2_000, prepare: 2_000 }, count: 1, direction: 'forwards' });

      const newer = wire('refundCase-e', 2, 3_100);
      server.answerRead(events([newer]), events([wire('refundCase-e', 1, 3_000)]));
      expect(await store.checkpointAt(2_050)).toBeNull();
      server.answerRead(events([newer]));
      expect(await store.checkpointAt(Number.MAX_SAFE_INTEGER)).toBeNull();
      expect(server.reads().map((read) => read.direction)).toEqual(['backwards', 'forwards', 'backwards', 'forwards', 'backwards']);
    });

    it('orders checkpoints by commit, then prepare position, with null first', () => {
      expect(store.compareCheckpoints('esdb:10:10', 'esdb:9:20')).toBeGreaterThan(0);
      expect(store.compareCheckpoints('esdb:10:5', 'esdb:10:6')).toBeLessThan(0);
      expect(store.compareCheckpoints(null, 'esdb:0:0')).toBeLessThan(0);
      expect(store.compareCheckpoints('esdb:7:7', 'esdb:7:7')).toBe(0);
      expect(() => store.compareCheckpoints('12:7', null)).toThrow(/Not a checkpoint of the EventStoreDB/);
    });
  });

  describe('catch-up subscription', () => {
    const log = [1_000, 2_000, 3_000, 4_000, 5_000].map((position, i) => wire('refundCase-s', i, position, `E${i + 1}`));
    /** Answers a subscription with the log after the position asked for, as a node would. */
    const after = (from: ReadRequest, end: CallEnd): ReadAnswer => {
      const start = from.target === '$all' && typeof from.from === 'object' ? from.from.commit : -1;
      return events(log.filter((event) => event.position > start), end);
    };

    async function subscribe(
      from: string | null,
      until: (handed: Array<{ events: RecordedEvent[]; checkpoint: string }>) => boolean,
      extra: { types?: string[]; failOnce?: string } = {},
    ) {
      const handed: Array<{ events: RecordedEvent[]; checkpoint: string }> = [];
      const errors: unknown[] = [];
      const controller = new AbortController();
      const guard = setTimeout(() => controller.abort(), 10_000);
      let failed = false;
      await store.subscribeToLog(
        {
          from,
          types: extra.types,
          handle: async (events, checkpoint) => {
            if (!failed && extra.failOnce !== undefined && events[0]?.type === extra.failOnce) {
              failed = true;
              throw new Error('projection failed');
            }
            handed.push({ events: [...events], checkpoint });
            if (until(handed)) controller.abort();
          },
          retryDelayMs: () => 5,
          onError: (error) => errors.push({ error, handedBefore: handed.length }),
        },
        controller.signal,
      );
      clearTimeout(guard);
      return { handed, errors: errors as Array<{ error: unknown; handedBefore: number }> };
    }

    it('resubscribes after the node drops it, from the last checkpoint handed over, losing and repeating nothing', async () => {
      server.answerRead(events(log.slice(0, 3), UNAVAILABLE), (request) => after(request, 'hold'));

      const { handed, errors } = await subscribe(checkpointOf(500), (h) => h.length === 5);

      expect(handed.map((h) => h.events.map((e) => e.type))).toEqual([['E1'], ['E2'], ['E3'], ['E4'], ['E5']]);
      expect(handed.map((h) => h.checkpoint)).toEqual(log.map((e) => checkpointOf(e.position)));
      expect(errors).toHaveLength(1);
      expect(errors[0].error).toBeInstanceOf(EventStoreUnavailableError);
      const [first, second] = server.reads();
      expect(first).toMatchObject({ subscription: true, from: { commit: 500, prepare: 500 }, filter: { prefixes: CATEGORIES } });
      const resumeFrom = errors[0].handedBefore === 0 ? { commit: 500, prepare: 500 } : { commit: log[errors[0].handedBefore - 1].position, prepare: log[errors[0].handedBefore - 1].position };
      expect(second).toMatchObject({ subscription: true, from: resumeFrom });
    });

    it("hands over the node's filter checkpoint after the events before it, and resumes from it", async () => {
      server.answerRead(
        { steps: [{ confirmation: 'sub-1' }, { event: log[0] }, { checkpoint: { commit: 2_500, prepare: 2_500 } }], end: 'hold' },
        () => events([log[2]], 'hold'),
      );
      const { handed } = await subscribe(null, (h) => {
        if (h.length === 2) expect(server.dropHeldReads()).toBe(1);
        return h.length === 3;
      });
      expect(handed.map((h) => [h.events.map((e) => e.type), h.checkpoint])).toEqual([
        [['E1'], checkpointOf(1_000)],
        [[], 'esdb:2500:2500'],
        [['E3'], checkpointOf(3_000)],
      ]);
      expect(server.reads()[1]).toMatchObject({ from: { commit: 2_500, prepare: 2_500 } });
    });

    it('holds a filter checkpoint back while events sent before it still wait behind a slow handler', async () => {
      // Enough events to pause the subscription, then a few the stream buffers, then the checkpoint.
      const burst = Array.from({ length: 261 }, (_, i) => wire('refundCase-slow', i, 1_000 * (i + 1)));
      server.answerRead({ steps: [...burst.map((event) => ({ event })), { checkpoint: { commit: 500_000, prepare: 500_000 } }], end: 'hold' });
      const handed: string[] = [];
      const controller = new AbortController();
      const guard = setTimeout(() => controller.abort(), 10_000);
      await store.subscribeToLog(
        {
          from: null,
          handle: async (_events, checkpoint) => {
            if (handed.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
            handed.push(checkpoint);
            if (checkpoint === 'esdb:500000:500000') controller.abort();
          },
        },
        controller.signal,
      );
      clearTimeout(guard);
      expect(handed).toEqual([...burst.map((event) => checkpointOf(event.position)), 'esdb:500000:500000']);
    });

    it('moves past event types it does not hand over, handing over only the checkpoint, in order', async () => {
      server.answerRead((request) => after(request, 'hold'));
      const { handed } = await subscribe(null, (h) => h[h.length - 1].checkpoint === checkpointOf(5_000), { types: ['E2'] });
      expect(handed.flatMap((h) => h.events.map((e) => e.type))).toEqual(['E2']);
      const checkpoints = handed.map((h) => h.checkpoint);
      for (let i = 1; i < checkpoints.length; i++) expect(store.compareCheckpoints(checkpoints[i], checkpoints[i - 1])).toBeGreaterThan(0);
      expect(handed.find((h) => h.events.length > 0)?.checkpoint).toBe(checkpointOf(2_000));
    });

    it('gets an event again after its handler failed, from the checkpoint before it', async () => {
      server.answerRead((request) => after(request, 'hold'), (request) => after(request, 'hold'));
      const { handed, errors } = await subscribe(null, (h) => h.length === 5, { failOnce: 'E3' });
      expect(handed.map((h) => h.events[0].type)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
      expect(errors).toHaveLength(1);
      expect(server.reads()[1]).toMatchObject({ from: { commit: 2_000, prepare: 2_000 } });
    });

    it('refuses stream prefixes outside its own streams', async () => {
      await expect(
        store.subscribeToLog({ from: null, streamPrefixes: ['inventory-'], handle: async () => undefined }, new AbortController().signal),
      ).rejects.toThrow(/lies within/);
    });
  });

  it('serves the catch-up reader of the projections and the Kafka relay unchanged, resuming from the stored checkpoint', async () => {
    let saved: string | null = null;
    const batches: string[][] = [];
    const runOnce = async (): Promise<void> => {
      const controller = new AbortController();
      await runCatchUp(
        store,
        {
          name: 'test-projection',
          batchSize: 10,
          idleWaitMs: 10,
          loadCheckpoint: async () => saved,
          handle: async (events, checkpoint) => {
            batches.push(events.map((e) => e.type));
            saved = checkpoint;
            controller.abort();
          },
        },
        controller.signal,
      );
    };
    const e1 = wire('refundCase-p', 0, 1_000, 'RequestLogged');
    const e2 = wire('refundCase-p', 1, 2_000, 'PolicyEvaluated');
    const e3 = wire('refundCase-p', 2, 3_000, 'Escalated');
    server.answerRead(events([e2]), events([e1, e2], 'hold'));
    await runOnce();
    server.answerRead(events([e3, e2]), events([e3], 'hold'));
    await runOnce();

    expect(batches).toEqual([['RequestLogged', 'PolicyEvaluated'], ['Escalated']]);
    expect(saved).toBe(checkpointOf(3_000));
    expect(server.reads()[3]).toMatchObject({ subscription: true, from: { commit: 2_000, prepare: 2_000 } });
  });
});

describe('EventStoreDbEventStore against a node without BatchAppend (before 21.10)', () => {
  let server: EsdbTestServer;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    server = await EsdbTestServer.start({ features: 'none' });
    store = EventStoreDbEventStore.connect(server.url, { streamPrefixes: CATEGORIES });
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
    expect(server.unusedAnswers).toBe(0);
  });

  it('appends through Streams.Append when the node lists no features', async () => {
    server.answerRead(NOT_FOUND);
    server.answerAppend({ success: { currentRevision: 0, position: { commit: 200, prepare: 200 } } });
    server.answerRead(() => events(echo(server.appends()[0], 0, 200)));
    const result = await store.append('refundCase-l1', [newEvent('A')], { expectedVersion: 0 });
    expect(server.methods()).toEqual(['Streams.Read', 'ServerFeatures.GetSupportedMethods', 'Streams.Append', 'Streams.Read']);
    expect(server.appends()[0]).toMatchObject({ expected: 'no_stream', events: [{ type: 'A', contentType: 'application/json' }] });
    expect(result).toMatchObject({ version: 1, duplicate: false });
  });

  it('maps the wrong-expected-version answer of Streams.Append', async () => {
    const streamId = 'refundCase-l2';
    const history = stored(streamId, [newEvent('A')], 100);
    server.answerRead(events(history));
    server.answerAppend({ wrongExpectedVersion: { currentRevision: 2 } });
    server.answerRead(events([...history, wire(streamId, 1, 200), wire(streamId, 2, 300)]));
    await expect(store.append(streamId, [newEvent('B')], { expectedVersion: 1 })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      actual: 3,
    });
    expect(server.appends()[0].expected).toEqual({ revision: 0 });
  });
});

describe('EventStoreDbEventStore connecting', () => {
  it('reads the member list through Gossip first when given a discovery connection string', async () => {
    const server = await EsdbTestServer.start();
    const store = EventStoreDbEventStore.connect(server.discoveryUrl, { streamPrefixes: CATEGORIES });
    try {
      server.answerRead(NOT_FOUND);
      expect(await store.readStream('refundCase-g1')).toEqual([]);
      expect(server.methods()).toEqual(['Gossip.Read', 'Streams.Read']);
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('accepts the kurrentdb:// scheme the configuration allows', async () => {
    const server = await EsdbTestServer.start();
    const store = EventStoreDbEventStore.connect(server.url.replace(/^esdb:/, 'kurrentdb:'), { streamPrefixes: CATEGORIES });
    try {
      server.answerRead(NOT_FOUND);
      expect(await store.readStream('refundCase-k1')).toEqual([]);
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('reports a node that is not there as unavailable, for writes, reads and the head', async () => {
    const gone = await EsdbTestServer.start();
    const url = gone.url;
    await gone.stop();
    const store = EventStoreDbEventStore.connect(url, { streamPrefixes: CATEGORIES });
    try {
      await expect(store.append('refundCase-u1', [newEvent('A')], { expectedVersion: 0 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readStream('refundCase-u1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.head()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ after: null, limit: 10 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});

describe('EventStoreModule with EVENT_STORE=eventstoredb', () => {
  it('provides the EventStoreDB adapter for EVENTSTOREDB_URL, owning the case and policy categories, and closes it on shutdown', async () => {
    const server = await EsdbTestServer.start();
    @Global()
    @Module({
      providers: [
        { provide: AppConfig, useValue: loadAppConfig({ EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: server.url }) },
        // The SQL database still exists for read models, but the event store must not touch it.
        { provide: SQL_DATABASE, useValue: {} },
      ],
      exports: [AppConfig, SQL_DATABASE],
    })
    class Given {}
    const app = await Test.createTestingModule({ imports: [Given, EventStoreModule] }).compile();
    try {
      const store = app.get(SealedEventLog);
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
      server.answerRead(events([wire('inventory-1', 0, 3_000), wire('refundPolicy-current', 0, 2_000)]));
      expect((await store.head()).position).toBe(2_000);
      // A page left waiting on the node (it never reports catching up) is ended by the shutdown.
      server.answerRead(events([wire('refundPolicy-current', 0, 2_000)]), { steps: [], end: 'hold' });
      const open = store.readAll({ after: null, limit: 1, streamPrefixes: ['refundCase-'] });
      while (server.reads().length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(server.reads()[2]).toMatchObject({ subscription: true, filter: { prefixes: ['refundCase-'] } });
      await app.close();
      await expect(open).rejects.toBeInstanceOf(EventStoreUnavailableError);
      expect(server.unusedAnswers).toBe(0);
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
