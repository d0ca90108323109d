import { chainEvents, GENESIS_HASH, RecordedEvent } from '@refund-desk/event-store';
import { verifyChain } from './chain-verification';

const RECORDED = '2026-01-01T00:00:00.000Z';

/** n events under rule 1 (legacy) followed by m under the current rule, as a store appends them. */
function stream(n: number, m = 0): RecordedEvent[] {
  const spec = (i: number) => ({
    streamId: 's-1', version: i + 1, eventId: `e${i}`, type: 'T', schemaVersion: 1, data: { i },
    metadata: { actor: 'a', occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null },
  });
  const legacy = chainEvents(GENESIS_HASH, Array.from({ length: n }, (_, i) => spec(i)));
  const current = chainEvents(
    legacy.length ? legacy[legacy.length - 1].metadata.hash : GENESIS_HASH,
    Array.from({ length: m }, (_, i) => spec(n + i)),
    RECORDED,
  );
  return [...legacy, ...current].map((e, i) => ({
    ...e, position: 100 + i, checkpoint: `1:${100 + i}`, recordedAt: RECORDED, storedOccurredAt: e.metadata.occurredAt,
  }));
}

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const events = stream(4);
    expect(verifyChain(events)).toEqual({ valid: true, events: 4, headHash: events[3].metadata.hash, hashVersions: { 1: 4 } });
  });

  it('breaks at the altered event: data, metadata, a missing event, a swapped previous hash', () => {
    const data = stream(4);
    data[2] = { ...data[2], data: { i: 99 } };
    expect(verifyChain(data).brokenAt).toMatchObject({ version: 3, position: 102, reason: 'hash_mismatch' });

    const metadata = stream(4);
    metadata[1] = { ...metadata[1], metadata: { ...metadata[1].metadata, actor: 'mallory' } };
    expect(verifyChain(metadata).brokenAt).toMatchObject({ version: 2, reason: 'hash_mismatch' });

    const gap = stream(4);
    gap.splice(1, 1);
    expect(verifyChain(gap).brokenAt).toMatchObject({ version: 3, reason: 'version_gap', expectedVersion: 2 });

    const relinked = stream(4);
    relinked[3] = { ...relinked[3], metadata: { ...relinked[3].metadata, prevHash: relinked[1].metadata.hash } };
    expect(verifyChain(relinked).brokenAt).toMatchObject({ version: 4, reason: 'prev_hash_mismatch' });
  });

  it('covers the recorded time under rule 2, not under rule 1, and reports how many events each rule covers', () => {
    const mixed = stream(2, 2);
    expect(mixed[0].metadata.hashVersion).toBeUndefined();
    expect(mixed[2].metadata.hashVersion).toBe(2);
    expect(verifyChain(mixed)).toMatchObject({ valid: true, hashVersions: { 1: 2, 2: 2 } });

    const legacyMoved = stream(2, 2);
    legacyMoved[1] = { ...legacyMoved[1], recordedAt: '2026-01-03T00:00:00.000Z' };
    expect(verifyChain(legacyMoved).valid).toBe(true);

    const moved = stream(2, 2);
    moved[3] = { ...moved[3], recordedAt: '2026-01-03T00:00:00.000Z' };
    expect(verifyChain(moved).brokenAt).toMatchObject({ version: 4, eventId: 'e3', reason: 'hash_mismatch', hashVersion: 2 });

    const belowMs = stream(0, 3);
    belowMs[1] = { ...belowMs[1], recordedAt: '2026-01-01T00:00:00.000400Z' };
    expect(verifyChain(belowMs).brokenAt).toMatchObject({ version: 2, reason: 'hash_mismatch' });
  });

  it('refuses a rule-2 event made to look like rule 1, and an unknown rule', () => {
    const downgraded = stream(0, 3);
    const { hashVersion: _v, ...metadata } = downgraded[1].metadata;
    downgraded[1] = { ...downgraded[1], metadata: metadata as RecordedEvent['metadata'] };
    expect(verifyChain(downgraded).brokenAt).toMatchObject({ version: 2, reason: 'hash_version_downgrade' });

    const unknown = stream(0, 2);
    unknown[0] = { ...unknown[0], metadata: { ...unknown[0].metadata, hashVersion: 3 } };
    expect(verifyChain(unknown).brokenAt).toMatchObject({ version: 1, reason: 'unknown_hash_version' });
  });

  it('names the changed event for store-assigned values: occurred_at column, version, position, log order', () => {
    const occurred = stream(0, 4);
    occurred[2] = { ...occurred[2], storedOccurredAt: '2026-01-02T00:00:00.000Z' };
    expect(verifyChain(occurred).brokenAt).toMatchObject({ version: 3, eventId: 'e2', reason: 'column_mismatch', column: 'occurred_at' });

    const renumbered = stream(0, 5);
    const moved = { ...renumbered[2], version: 9 };
    const reordered = [renumbered[0], renumbered[1], renumbered[3], renumbered[4], moved];
    expect(verifyChain(reordered).brokenAt).toMatchObject({ version: 9, eventId: 'e2', reason: 'version_mismatch', expectedVersion: 3 });

    const position = stream(0, 5);
    position[2] = { ...position[2], position: 5000 };
    expect(verifyChain(position).brokenAt).toMatchObject({ version: 3, eventId: 'e2', reason: 'position_out_of_order' });
    const lowered = stream(0, 5);
    lowered[3] = { ...lowered[3], position: 1 };
    expect(verifyChain(lowered).brokenAt).toMatchObject({ version: 4, eventId: 'e3', reason: 'position_out_of_order' });

    const compareCheckpoints = (a: string | null, b: string | null) => Number(a?.split(':')[0]) - Number(b?.split(':')[0]);
    const tx = stream(0, 4).map((e, i) => ({ ...e, checkpoint: `${10 + i}:${e.position}` }));
    tx[1] = { ...tx[1], checkpoint: `99:${tx[1].position}` };
    expect(verifyChain(tx, { compareCheckpoints }).brokenAt).toMatchObject({ version: 2, eventId: 'e1', reason: 'log_order_out_of_order' });
  });
});
