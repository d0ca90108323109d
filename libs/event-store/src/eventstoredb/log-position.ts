import type { Position } from '@eventstore/db-client';
import { InvalidCheckpointError } from '../errors';
import { LogCheckpoint } from '../event-store';

/**
 * Checkpoints on EventStoreDB are `$all` positions, commit and prepare. Events appended over gRPC
 * have commit = prepare = their own log position, so the commit part alone is the readable
 * `position`; the prepare part is kept so a position the server reports (a filter checkpoint, an
 * event of a legacy explicit transaction) still orders and resumes exactly.
 * The `esdb:` tag makes a PostgreSQL checkpoint left in a read model fail loudly instead of being
 * read as a position after a switch of stores.
 */
const PATTERN = /^esdb:(\d{1,20}):(\d{1,20})$/;
const MAX_U64 = 2n ** 64n - 1n;

export function encodeCheckpoint(position: Position): LogCheckpoint {
  return `esdb:${position.commit}:${position.prepare}`;
}

export function decodeCheckpoint(checkpoint: LogCheckpoint): Position {
  const match = PATTERN.exec(checkpoint);
  // $all positions are unsigned 64-bit numbers on the wire.
  if (!match || BigInt(match[1]) > MAX_U64 || BigInt(match[2]) > MAX_U64) {
    throw new InvalidCheckpointError(checkpoint, 'the EventStoreDB event store');
  }
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Orders checkpoints; null (the start of the log) comes before every position. */
export function compareCheckpoints(a: LogCheckpoint | null, b: LogCheckpoint | null): number {
  const pa = a === null ? null : decodeCheckpoint(a);
  const pb = b === null ? null : decodeCheckpoint(b);
  if (pa === null || pb === null) return pa === pb ? 0 : pa === null ? -1 : 1;
  return comparePositions(pa, pb);
}

export function laterCheckpoint(...checkpoints: Array<LogCheckpoint | null | undefined>): LogCheckpoint | null {
  let latest: LogCheckpoint | null = null;
  for (const checkpoint of checkpoints) {
    if (checkpoint != null && compareCheckpoints(checkpoint, latest) > 0) latest = checkpoint;
  }
  return latest;
}

/** The readable position of an event: its commit position, which fits a JavaScript number for logs below 8 PiB. */
export function toPositionNumber(position: Position): number {
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`$all position ${position.commit} is beyond what a JavaScript number holds exactly`);
  }
  return Number(position.commit);
}
