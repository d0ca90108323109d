/** The caller's If-Match names a version the case has moved past. */
export class VersionMismatchError extends Error {
  readonly code = 'version_mismatch';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`The case is at version ${actual}, not ${expected}; read it again before changing it`);
    this.name = 'VersionMismatchError';
  }
}

/** An Idempotency-Key reused with a different request body. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was already used with a different request body`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
