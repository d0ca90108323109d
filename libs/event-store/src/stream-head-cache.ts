/**
 * Remembers the last known (version, hash) of recently used streams so an append right after a
 * read does not query the previous hash again. A stored version's hash never changes, so an
 * entry can be old but never wrong: it is only used when it matches the expected version.
 */
export class StreamHeadCache {
  private readonly entries = new Map<string, { version: number; hash: string; recordedAt: string }>();

  constructor(private readonly capacity: number) {}

  /** The hash and recorded time of the stream's event at this version, when it is the one remembered. */
  headAt(streamId: string, version: number): { hash: string; recordedAt: string } | undefined {
    const entry = this.entries.get(streamId);
    return entry && entry.version === version ? entry : undefined;
  }

  set(streamId: string, version: number, hash: string, recordedAt: string): void {
    const current = this.entries.get(streamId);
    if (current && current.version > version) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, { version, hash, recordedAt });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
