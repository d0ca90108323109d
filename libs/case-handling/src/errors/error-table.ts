import { isUnstorableTextError } from '@refund-desk/database';
import { caseIdFromStream, DomainError, InvalidCommandError } from '@refund-desk/domain';
import { DamagedEventError, EventIdConflictError, isStoreUnavailable, WrongExpectedVersionError } from '@refund-desk/event-store';
import { IdempotencyKeyReusedError, VersionMismatchError } from './command-errors';

/** What the Kafka relay does with a message whose command failed with the error. */
export type KafkaDisposition =
  /** A refusal no retry can change: dead-lettered with the error's code as `x-error-type`. */
  | 'dead-letter'
  /** Nothing is wrong with the message (an outage, a lost race): retried from it with a backoff, never dead-lettered. */
  | 'retry'
  /** Neither: retried a few times on the same message, then dead-lettered as `unexpected`. */
  | 'retry-then-dead-letter';

interface RowSpec<E> {
  readonly status: number;
  /** The problem type: https://refund-desk.dev/problems/<problemType>; the title follows from the status. */
  readonly problemType: string;
  readonly kafka: KafkaDisposition;
  /** The problem's detail; the error's message when absent. */
  readonly detail?: (error: E) => string;
  /** Members the problem document adds (`errors`, `currentVersion`, …). */
  readonly members?: (error: E) => Readonly<Record<string, unknown>>;
  readonly headers?: (error: E) => Readonly<Record<string, string>>;
}

/** An error as both edges see it: HTTP answers a problem document, Kafka dead-letters or retries. */
export interface ClassifiedError {
  /** The row: the error's own code, or the name of a class of errors (`store_unavailable`). */
  readonly code: string;
  readonly status: number;
  readonly problemType: string;
  readonly kafka: KafkaDisposition;
  /** The error's own message (the dead-letter header carries it). */
  readonly message: string;
  readonly detail: string;
  readonly members: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
}

interface ErrorRow {
  readonly code: string;
  readonly status: number;
  readonly problemType: string;
  readonly kafka: KafkaDisposition;
  classify(error: unknown): ClassifiedError | undefined;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function row<E>(code: string, matches: (error: unknown) => error is E, spec: RowSpec<E>): ErrorRow {
  const { status, problemType, kafka } = spec;
  return {
    code,
    status,
    problemType,
    kafka,
    classify: (error) =>
      matches(error)
        ? {
            code,
            status,
            problemType,
            kafka,
            message: messageOf(error),
            detail: spec.detail?.(error) ?? messageOf(error),
            members: spec.members?.(error) ?? {},
            headers: spec.headers?.(error) ?? {},
          }
        : undefined,
  };
}

const instanceOf =
  <E>(type: abstract new (...args: never[]) => E) =>
  (error: unknown): error is E =>
    error instanceof type;

/** One row per domain error code: a code the domain adds fails to compile until it has one. */
const DOMAIN_ROWS: { readonly [Code in DomainError['code']]: RowSpec<DomainError> } = {
  invalid_command: {
    status: 400,
    problemType: 'validation',
    kafka: 'dead-letter',
    members: (error) => ({ errors: error instanceof InvalidCommandError && error.field ? [{ field: error.field, message: error.message }] : [] }),
  },
  illegal_transition: { status: 409, problemType: 'illegal-transition', kafka: 'dead-letter' },
  insufficient_authority: { status: 403, problemType: 'insufficient-authority', kafka: 'dead-letter' },
  // The right and its source travel with the refusal, so the desk and a calling service can show the law.
  below_legal_floor: { status: 409, problemType: 'below-legal-floor', kafka: 'dead-letter', members: (error) => ({ legalFloor: error.details }) },
  // Who took the first step travels with the refusal, so the desk can say whom to hand the case to.
  separation_of_duties: { status: 403, problemType: 'separation-of-duties', kafka: 'dead-letter', members: (error) => ({ separationOfDuties: error.details }) },
  case_not_found: { status: 404, problemType: 'case-not-found', kafka: 'dead-letter' },
};

/** What a client is told to wait while the store or database is away: a restart takes a few seconds. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Every error a command can end in, classified once for both edges: HTTP status and problem
 * type (problem.filter), and whether a Kafka message is dead-lettered or retried (the inbound
 * relay). Rows are tried in order; adding an error is adding a row.
 */
export const ERROR_TABLE: readonly ErrorRow[] = [
  ...Object.entries(DOMAIN_ROWS).map(([code, spec]) =>
    row(code, (error): error is DomainError => error instanceof DomainError && error.code === code, spec),
  ),
  row('version_mismatch', instanceOf(VersionMismatchError), {
    status: 412,
    problemType: 'version-mismatch',
    kafka: 'dead-letter',
    members: (error) => ({ currentVersion: error.actual }),
    headers: (error) => ({ ETag: `"${error.actual}"` }),
  }),
  row('idempotency_key_reused', instanceOf(IdempotencyKeyReusedError), { status: 409, problemType: 'idempotency-key-reused', kafka: 'dead-letter' }),
  // Only once the retries ran out (or the caller pinned nothing to retry against).
  row('wrong_expected_version', instanceOf(WrongExpectedVersionError), {
    status: 409,
    problemType: 'concurrent-modification',
    kafka: 'retry',
    detail: () => 'The case changed while this command ran; read it again and retry',
    members: (error) => ({ currentVersion: error.actual }),
  }),
  row('event_id_conflict', instanceOf(EventIdConflictError), { status: 409, problemType: 'duplicate-event', kafka: 'dead-letter' }),
  // The answer names the one event (no stored content); other cases are unaffected.
  row('damaged_event', instanceOf(DamagedEventError), {
    status: 409,
    problemType: 'damaged-event',
    kafka: 'retry-then-dead-letter',
    detail: (error) =>
      `${error.message}. Its stored form no longer matches what was recorded; check it with the verification route and restore it from a backup`,
    members: (error) => ({
      damagedEvent: { caseId: caseIdFromStream(error.streamId) ?? null, streamId: error.streamId, ...error.event, reason: error.reason },
    }),
  }),
  row('store_unavailable', (error): error is unknown => isStoreUnavailable(error), {
    status: 503,
    problemType: 'unavailable',
    kafka: 'retry',
    detail: () => 'The event store or database is unavailable; retry shortly',
    headers: () => ({ 'Retry-After': String(RETRY_AFTER_SECONDS) }),
  }),
  // Validation refuses such text first; this only catches what reached the database some other way.
  row('unstorable_text', (error): error is unknown => isUnstorableTextError(error), {
    status: 400,
    problemType: 'validation',
    kafka: 'retry-then-dead-letter',
    detail: () => 'The request holds text that cannot be stored (a NUL character or an unpaired UTF-16 surrogate)',
  }),
];

/** The row an error falls in; undefined for an error no row knows (HTTP: a 500; Kafka: retried, then dead-lettered). */
export function classifyError(error: unknown): ClassifiedError | undefined {
  for (const entry of ERROR_TABLE) {
    const classified = entry.classify(error);
    if (classified) return classified;
  }
  return undefined;
}
