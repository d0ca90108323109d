import { LogCheckpoint, RecordedEvent } from './event-store';
import { GENESIS_HASH, hashEvent, HashVersion, hashVersionOf } from './hash-chain';

export type ChainBreak =
  | { readonly reason: 'version_gap'; readonly expectedVersion: number }
  /** The event chains on from the version it should have, but is stored under another one. */
  | { readonly reason: 'version_mismatch'; readonly expectedVersion: number }
  | { readonly reason: 'prev_hash_mismatch'; readonly expectedPrevHash: string; readonly storedPrevHash: string }
  | { readonly reason: 'hash_mismatch'; readonly recomputedHash: string; readonly storedHash: string; readonly hashVersion: HashVersion }
  | { readonly reason: 'unknown_hash_version'; readonly storedHashVersion: unknown }
  /** An event under the older rule after one under the newer: the store never writes that. */
  | { readonly reason: 'hash_version_downgrade'; readonly hashVersion: HashVersion; readonly previousHashVersion: HashVersion }
  /** A stored column that repeats a hashed value (occurred_at) does not match it. */
  | { readonly reason: 'column_mismatch'; readonly column: string; readonly stored: string; readonly hashed: string }
  /** Positions or log order (assigned by the store, outside the hash) do not rise with the version. */
  | { readonly reason: 'position_out_of_order' | 'log_order_out_of_order' }
  /** The chain holds, but sealed personal fields of the event do not open (reported by readers that open them). */
  | { readonly reason: 'unreadable_personal_data'; readonly fields: readonly string[] };

export type ChainBreakReason = ChainBreak['reason'];

export interface BrokenAt {
  readonly version: number;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
}

export interface ChainVerification {
  readonly valid: boolean;
  readonly events: number;
  /** The first event whose stored form does not match the chain, and why. */
  readonly brokenAt?: BrokenAt & ChainBreak;
  readonly headHash: string | null;
  /**
   * How many events each hash rule covers. Events under rule 1 were hashed before the recorded
   * time was covered: their recordedAt can change without breaking the chain.
   */
  readonly hashVersions: Readonly<Record<string, number>>;
}

export interface ChainVerifierOptions {
  /** The store's order of checkpoints; with it, the log order must rise with the version too. */
  readonly compareCheckpoints?: (a: LogCheckpoint | null, b: LogCheckpoint | null) => number;
}

const where = (event: RecordedEvent): BrokenAt => ({
  version: event.version,
  position: event.position,
  eventId: event.eventId,
  type: event.type,
});

/** A timestamp as an instant, for columns the store renders with more or less precision. */
const instant = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const micro = /\.(\d{3})(\d{3})Z$/.exec(value);
  if (micro && micro[2] !== '000') return value;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};

/**
 * Follows one stream's chain in its stored form: each event must name the previous hash and hash
 * (under the rule it names) to what it says, and the store's own columns must agree with what was
 * hashed. Altering any stored value an answer depends on breaks it at that event.
 */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private previousEvent: RecordedEvent | undefined;
  private previousHashVersion: HashVersion = 1;
  private version = 0;
  private count = 0;
  private readonly versions: Record<string, number> = {};
  private broken: ChainVerification['brokenAt'];

  constructor(private readonly options: ChainVerifierOptions = {}) {}

  /** Feeds the next event of the stream; false once the chain is broken (later events are not judged). */
  next(event: RecordedEvent): boolean {
    if (this.broken) return false;
    this.count += 1;
    const found = this.check(event);
    if (found) {
      this.broken = { ...where(event), ...found };
      return false;
    }
    this.previous = String(event.metadata.hash);
    this.previousEvent = event;
    this.version = event.version;
    return true;
  }

  private check(event: RecordedEvent): ChainBreak | undefined {
    if (event.version !== this.version + 1) return { reason: 'version_gap', expectedVersion: this.version + 1 };
    const hashVersion = hashVersionOf(event.metadata);
    if (hashVersion === null) return { reason: 'unknown_hash_version', storedHashVersion: event.metadata.hashVersion };
    if (hashVersion < this.previousHashVersion) {
      return { reason: 'hash_version_downgrade', hashVersion, previousHashVersion: this.previousHashVersion };
    }
    const storedPrev = String(event.metadata.prevHash ?? '');
    if (storedPrev !== this.previous) {
      return { reason: 'prev_hash_mismatch', expectedPrevHash: this.previous, storedPrevHash: storedPrev };
    }
    const recomputed = hashEvent(this.previous, event);
    const stored = String(event.metadata.hash ?? '');
    if (recomputed !== stored) return { reason: 'hash_mismatch', recomputedHash: recomputed, storedHash: stored, hashVersion };
    if (event.storedOccurredAt !== undefined) {
      const column = instant(event.storedOccurredAt);
      const hashed = instant(event.metadata.occurredAt);
      if (column === null || column !== hashed) {
        return { reason: 'column_mismatch', column: 'occurred_at', stored: event.storedOccurredAt, hashed: String(event.metadata.occurredAt) };
      }
    }
    const before = this.previousEvent;
    if (before && before.position >= event.position) return { reason: 'position_out_of_order' };
    if (before && this.options.compareCheckpoints && this.options.compareCheckpoints(before.checkpoint, event.checkpoint) >= 0) {
      return { reason: 'log_order_out_of_order' };
    }
    this.versions[hashVersion] = (this.versions[hashVersion] ?? 0) + 1;
    this.previousHashVersion = hashVersion;
    return undefined;
  }

  result(): ChainVerification {
    const hashVersions = { ...this.versions };
    return this.broken
      ? { valid: false, events: this.count, brokenAt: this.broken, headHash: null, hashVersions }
      : { valid: true, events: this.count, headHash: this.count > 0 ? this.previous : null, hashVersions };
  }
}

/**
 * The one event of a sequence that is out of order, when taking it out leaves the rest in order;
 * otherwise the first event that is not after the one before it.
 */
function outOfOrder(events: readonly RecordedEvent[], before: (a: RecordedEvent, b: RecordedEvent) => boolean): number {
  const inOrder = (skip: number): boolean => {
    let last: RecordedEvent | undefined;
    for (let i = 0; i < events.length; i++) {
      if (i === skip) continue;
      if (last && !before(last, events[i])) return false;
      last = events[i];
    }
    return true;
  };
  if (inOrder(-1)) return -1;
  for (let i = 0; i < events.length; i++) if (inOrder(i)) return i;
  return events.findIndex((event, i) => i > 0 && !before(events[i - 1], event));
}

/**
 * Verifies a whole stream (read in version order) and names the event that was changed where
 * the stream allows it: an event moved to another version is found by the hash it chains from,
 * a position or transaction changed out of order by being the one that does not fit.
 */
export function verifyChain(events: readonly RecordedEvent[], options: ChainVerifierOptions = {}): ChainVerification {
  const verifier = new ChainVerifier(options);
  for (const event of events) if (!verifier.next(event)) break;
  const result = verifier.result();
  if (result.valid || !result.brokenAt) return result;
  const broken = result.brokenAt;
  const at = events.findIndex((event) => event.eventId === broken.eventId && event.version === broken.version);
  let exact: (BrokenAt & ChainBreak) | undefined;
  if (broken.reason === 'version_gap') {
    const expectedPrev = at > 0 ? String(events[at - 1].metadata.hash) : GENESIS_HASH;
    const moved = events.find((event) => event.metadata.prevHash === expectedPrev && event.version !== broken.expectedVersion);
    if (moved) exact = { ...where(moved), reason: 'version_mismatch', expectedVersion: broken.expectedVersion };
  } else if (broken.reason === 'position_out_of_order') {
    const i = outOfOrder(events, (a, b) => a.position < b.position);
    if (i >= 0) exact = { ...where(events[i]), reason: 'position_out_of_order' };
  } else if (broken.reason === 'log_order_out_of_order' && options.compareCheckpoints) {
    const compare = options.compareCheckpoints;
    const i = outOfOrder(events, (a, b) => compare(a.checkpoint, b.checkpoint) < 0);
    if (i >= 0) exact = { ...where(events[i]), reason: 'log_order_out_of_order' };
  }
  return { ...result, events: events.length, ...(exact ? { brokenAt: exact } : {}) };
}
