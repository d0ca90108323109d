/**
 * Fields of a driver error that can repeat what was sent: PGlite attaches the statement and its
 * parameters (a whole INSERT of an event, personal data included), and PostgreSQL's `where` quotes
 * the JSON it could not parse. Errors are logged with all their fields, so these never leave here.
 */
const REVEALING_FIELDS = ['query', 'params', 'queryOptions', 'where', 'internalQuery'] as const;

/** Removes what an error could reveal of the statement's parameters; the same object, for rethrowing. */
export function withoutParameters<E>(error: E): E {
  if (typeof error === 'object' && error !== null) {
    for (const field of REVEALING_FIELDS) {
      if (field in error) delete (error as Record<string, unknown>)[field];
    }
  }
  return error;
}

/**
 * PostgreSQL refused text it cannot store: NUL (22021 in text, 22P05 in jsonb) or a JSON string
 * with an unpaired surrogate (22P02 on json/jsonb). Validation refuses such input first; this
 * lets whatever gets past it still be answered as the caller's fault.
 */
export function isUnstorableTextError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '22021' || code === '22P05') return true;
    if (code === '22P02' && /type jsonb?\b/.test(String((e as { message?: unknown }).message))) return true;
  }
  return false;
}
