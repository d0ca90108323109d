import { chainEvents, GENESIS_HASH, RecordedEvent } from '@refund-desk/event-store';
import { verifyChain } from './chain-verification';

function stream(n: number): RecordedEvent[] {
  const chained = chainEvents(
    GENESIS_HASH,
    Array.from({ length: n }, (_, i) => ({
      streamId: 's-1', version: i + 1, eventId: `e${i}`, type: 'T', schemaVersion: 1, data: { i },
      metadata: { actor: 'a', occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: null },
    })),
  );
  return chained.map((e, i) => ({ ...e, position: 100 + i, checkpoint: `1:${100 + i}`, recordedAt: '2026-01-01T00:00:00.000Z' }));
}

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const events = stream(4);
    expect(verifyChain(events)).toEqual({ valid: true, events: 4, headHash: events[3].metadata.hash });
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
});
