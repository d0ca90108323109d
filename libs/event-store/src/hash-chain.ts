import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { EventMetadata, JsonObject, StoredEventMetadata } from './event-store';

/** The previous hash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/**
 * SHA-256 over the previous hash and the event's canonical JSON (RFC 8785), so every store
 * computes the same chain and an auditor can recompute it from an export.
 */
export function hashEvent(prevHash: string, event: HashableEvent): string {
  const { hash: _hash, prevHash: _prev, ...metadata } = event.metadata as Partial<StoredEventMetadata> & EventMetadata;
  const content = canonicalize({
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content ?? '').digest('hex');
}

/** Adds prevHash and hash to each event of an append, chained from the stream's last hash. */
export function chainEvents<E extends Omit<HashableEvent, 'metadata'> & { metadata: EventMetadata }>(
  prevHash: string,
  events: readonly E[],
): Array<E & { metadata: StoredEventMetadata }> {
  let previous = prevHash;
  return events.map((event) => {
    const hash = hashEvent(previous, event);
    const chained = { ...event, metadata: { ...event.metadata, prevHash: previous, hash } };
    previous = hash;
    return chained;
  });
}
