import { GENESIS_HASH, hashEvent, RecordedEvent } from '@refund-desk/event-store';

export type ChainBreak =
  | { readonly reason: 'version_gap'; readonly expectedVersion: number }
  | { readonly reason: 'prev_hash_mismatch'; readonly expectedPrevHash: string; readonly storedPrevHash: string }
  | { readonly reason: 'hash_mismatch'; readonly recomputedHash: string; readonly storedHash: string };

export interface ChainVerification {
  readonly valid: boolean;
  readonly events: number;
  /** The first event whose stored form does not match the chain, and why. */
  readonly brokenAt?: { readonly version: number; readonly position: number; readonly eventId: string; readonly type: string } & ChainBreak;
  readonly headHash: string | null;
}

/**
 * Follows one stream's chain in its stored form: each event must name the previous hash and hash
 * to what it says. Altering any stored byte of data or metadata breaks it at that event.
 */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private version = 0;
  private count = 0;
  private broken: ChainVerification['brokenAt'];

  /** Feeds the next event of the stream; false once the chain is broken (later events are not judged). */
  next(event: RecordedEvent): boolean {
    if (this.broken) return false;
    this.count += 1;
    const where = { version: event.version, position: event.position, eventId: event.eventId, type: event.type };
    if (event.version !== this.version + 1) {
      this.broken = { ...where, reason: 'version_gap', expectedVersion: this.version + 1 };
      return false;
    }
    const storedPrev = String(event.metadata.prevHash ?? '');
    if (storedPrev !== this.previous) {
      this.broken = { ...where, reason: 'prev_hash_mismatch', expectedPrevHash: this.previous, storedPrevHash: storedPrev };
      return false;
    }
    const recomputed = hashEvent(this.previous, event);
    const stored = String(event.metadata.hash ?? '');
    if (recomputed !== stored) {
      this.broken = { ...where, reason: 'hash_mismatch', recomputedHash: recomputed, storedHash: stored };
      return false;
    }
    this.previous = stored;
    this.version = event.version;
    return true;
  }

  result(): ChainVerification {
    return this.broken
      ? { valid: false, events: this.count, brokenAt: this.broken, headHash: null }
      : { valid: true, events: this.count, headHash: this.count > 0 ? this.previous : null };
  }
}

export function verifyChain(events: readonly RecordedEvent[]): ChainVerification {
  const verifier = new ChainVerifier();
  for (const event of events) if (!verifier.next(event)) break;
  const result = verifier.result();
  return result.valid ? result : { ...result, events: events.length };
}
