/** RFC 9457 Problem Details, the body of every error answer. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export interface FieldError {
  /** Dotted path of the bad field in the request body or query, e.g. `customer.email`. */
  readonly field: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://refund-desk.dev/problems/';

export const PROBLEM_TYPES = {
  400: 'invalid-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  500: 'internal-error',
  503: 'unavailable',
} as const satisfies Record<number, string>;

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  412: 'Precondition failed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export function problem(
  status: number,
  detail: string,
  extras: { slug?: string; title?: string; errors?: readonly FieldError[]; [key: string]: unknown } = {},
): ProblemDetails {
  const { slug, title, errors, ...rest } = extras;
  const fallbackSlug = PROBLEM_TYPES[status as keyof typeof PROBLEM_TYPES] ?? (status >= 500 ? 'internal-error' : 'invalid-request');
  return {
    type: `${PROBLEM_BASE}${slug ?? fallbackSlug}`,
    title: title ?? TITLES[status] ?? (status >= 500 ? 'Internal error' : 'Request refused'),
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...rest,
  };
}

/**
 * Thrown by adapters for answers that are not domain errors but need a precise status. Extras
 * other than slug, title, errors and headers become members of the problem document.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly extras: { slug?: string; title?: string; errors?: readonly FieldError[]; headers?: Record<string, string>; [member: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export class RequestValidationError extends HttpProblem {
  constructor(readonly errors: readonly FieldError[]) {
    super(400, errors.length === 1 ? errors[0].message : `${errors.length} fields are invalid`, {
      slug: 'validation',
      title: 'Invalid request',
      errors,
    });
  }
}
