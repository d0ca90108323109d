import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { EventMetadata, JsonObject, StoredEventMetadata } from './event-store';

/** The previous hash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The rule new events are hashed under. 1: stream, version, id, type, schema version, data and
 * metadata. 2: the same and the recorded time, which "as of" answers depend on. The rule is named
 * in the metadata (`hashVersion`, absent for 1), which both rules cover, so an event cannot be
 * moved to the older rule without breaking its hash. Events hashed under 1 keep verifying under 1.
 */
export const CURRENT_HASH_VERSION = 2;
export const HASH_VERSIONS = [1, 2] as const;
export type HashVersion = (typeof HASH_VERSIONS)[number];

/** The rule an event's metadata names; null for a value no rule has (itself a sign of tampering). */
export function hashVersionOf(metadata: Record<string, unknown>): HashVersion | null {
  const named = metadata.hashVersion;
  if (named === undefined) return 1;
  return named === 2 ? 2 : null;
}

export interface HashableEvent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
  /** Under rule 2: the recorded time exactly as stored and shown (ISO-8601). */
  readonly recordedAt?: string;
}

/**
 * SHA-256 over the previous hash and the event's canonical JSON (RFC 8785), so every store
 * computes the same chain and an auditor can recompute it from an export.
 */
export function hashEvent(prevHash: string, event: HashableEvent): string {
  const { hash: _hash, prevHash: _prev, ...metadata } = event.metadata as Partial<StoredEventMetadata> & EventMetadata;
  const version = hashVersionOf(metadata);
  const content = canonicalize({
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
    // Rule 2 covers the recorded time; an unknown rule hashes it too, so it can never verify as 1.
    ...(version === 1 ? {} : { recordedAt: event.recordedAt ?? null }),
  });
  return createHash('sha256').update(prevHash).update('\n').update(content ?? '').digest('hex');
}

/**
 * Adds prevHash and hash to each event of an append, chained from the stream's last hash. With
 * `recordedAt` (the time the store will write, exactly) the events are hashed under the current
 * rule; without it under rule 1, which only tests that build legacy logs still use.
 */
export function chainEvents<E extends Omit<HashableEvent, 'metadata' | 'recordedAt'> & { metadata: EventMetadata }>(
  prevHash: string,
  events: readonly E[],
  recordedAt?: string,
): Array<E & { metadata: StoredEventMetadata }> {
  let previous = prevHash;
  return events.map((event) => {
    const metadata = recordedAt === undefined ? event.metadata : { ...event.metadata, hashVersion: CURRENT_HASH_VERSION };
    const hash = hashEvent(previous, { ...event, metadata, recordedAt });
    const chained = { ...event, metadata: { ...metadata, prevHash: previous, hash } };
    previous = hash;
    return chained;
  });
}

/**
 * The recorded time of an append: now at millisecond precision (the precision answers show), never
 * before the stream's previous event, so "as of" cuts of a stream are always a prefix of it even
 * when writers' clocks disagree a little.
 */
export function nextRecordedAt(previous: string | null | undefined, now = Date.now()): string {
  const floor = previous ? Date.parse(previous) : Number.NaN;
  return new Date(Number.isFinite(floor) && floor > now ? floor : now).toISOString();
}
