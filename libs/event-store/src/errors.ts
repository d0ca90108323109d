import { isDatabaseConnectionFailure } from '@refund-desk/database';

/** The stream is not at the version the caller expected: someone else appended first. */
export class WrongExpectedVersionError extends Error {
  readonly code = 'wrong_expected_version';
  constructor(
    readonly streamId: string,
    readonly expected: number | 'any',
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, not the expected ${expected}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** Some, but not all, of the event ids of an append are already stored: a caller bug, never retried. */
export class EventIdConflictError extends Error {
  readonly code = 'event_id_conflict';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`Events ${eventIds.join(', ')} are already stored, but not as this append to ${streamId}`);
    this.name = 'EventIdConflictError';
  }
}

/** The store cannot be reached or answered with an error that is not the caller's fault. */
export class EventStoreUnavailableError extends Error {
  readonly code = 'event_store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * Whether an error means the event store or the SQL database behind the service cannot be used
 * right now (unreachable, restarting, connection dropped): the request was fine and may be
 * retried. HTTP answers 503 with Retry-After, the projections and the Kafka relay retry.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof EventStoreUnavailableError || isDatabaseConnectionFailure(error);
}

/**
 * A stored event cannot be trusted or read: its hash chain is broken at it, or a sealed field no
 * longer opens. Names the one event, so a reader can say which and an operator can look.
 */
export class DamagedEventError extends Error {
  readonly code = 'damaged_event';
  constructor(
    readonly streamId: string,
    readonly event: { readonly version: number; readonly position: number; readonly eventId: string; readonly type: string },
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`Event ${event.eventId} (version ${event.version}, position ${event.position}) of ${streamId} is damaged: ${detail}`);
    this.name = 'DamagedEventError';
  }
}

/** A checkpoint this store never hands out (another store's, or out of its range): the caller's input, not a fault. */
export class InvalidCheckpointError extends Error {
  readonly code = 'invalid_checkpoint';
  constructor(readonly checkpoint: string, reason: string) {
    super(`Not a checkpoint of ${reason}: ${checkpoint.slice(0, 100)}`);
    this.name = 'InvalidCheckpointError';
  }
}
