/**
 * Domain errors are plain classes with a stable code; the HTTP and Kafka adapters map the code
 * to a status or a dead-letter reason. Nothing here knows about HTTP.
 */
export type DomainErrorCode =
  | 'invalid_command'
  | 'illegal_transition'
  | 'insufficient_authority'
  | 'below_legal_floor'
  | 'separation_of_duties'
  | 'case_not_found';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command is malformed for the domain (e.g. a partial refund above the amount paid). */
export class InvalidCommandError extends DomainError {
  readonly code = 'invalid_command' as const;
  constructor(
    message: string,
    readonly field?: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message, details);
  }
}

/** The command is well-formed but the case is not in a state that allows it. */
export class IllegalTransitionError extends DomainError {
  readonly code = 'illegal_transition' as const;
  constructor(
    readonly command: string,
    readonly status: string,
    reason: string,
  ) {
    super(`${command} is not allowed while the case is ${status}: ${reason}`, { command, status });
  }
}

/** The actor's role or authority limit does not cover the command. */
export class InsufficientAuthorityError extends DomainError {
  readonly code = 'insufficient_authority' as const;
}

/**
 * The decision goes below a statutory right the evaluation found (or contests it without the
 * evidence or authority a contest needs). Details name the right and its legal source.
 */
export class LegalFloorError extends DomainError {
  readonly code = 'below_legal_floor' as const;
}

/**
 * Four eyes: the same person may not approve their own decision, nor decide the appeal against
 * it. Details name the rule and the person who took the first step.
 */
export class SeparationOfDutiesError extends DomainError {
  readonly code = 'separation_of_duties' as const;
}

export class CaseNotFoundError extends DomainError {
  readonly code = 'case_not_found' as const;
  constructor(readonly caseId: string) {
    super(`No refund case with id ${caseId}`, { caseId });
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
