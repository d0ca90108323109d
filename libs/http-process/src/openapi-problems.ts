import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ref } from '@refund-desk/contracts';
import { PROBLEM_CONTENT_TYPE } from '@refund-desk/platform';

/** Response headers the API sends, documented once in components.headers. */
export const HEADERS = {
  correlationId: 'X-Correlation-Id',
  etag: 'ETag',
  location: 'Location',
  idempotentReplayed: 'Idempotent-Replayed',
  retryAfter: 'Retry-After',
  wwwAuthenticate: 'WWW-Authenticate',
  minPositionReached: 'X-Min-Position-Reached',
} as const;

export const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` }) as never;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: the body, a query parameter, a path parameter or a header (If-Match, Idempotency-Key); `errors` names each field',
  401: 'No bearer token, or not a valid one',
  403: 'The token has none of the roles this operation needs, or not the decision authority',
  404: 'No such case (or resource)',
  409: 'Not allowed in the current state (the detail says why), an Idempotency-Key reused with another body, or a concurrent change',
  412: 'If-Match names a version that is no longer current; the ETag header and currentVersion give the current one',
  413: 'The body is larger than BODY_LIMIT_BYTES (1 MB by default)',
  415: 'The body is not application/json',
  429: 'Rate limited (per token subject)',
  500: 'A fault on our side; it has been logged',
  503: 'The event store or the database is unavailable, or the identity provider that issued the token cannot be reached; retry after Retry-After seconds',
};

const PROBLEM_HEADERS: Record<number, Record<string, unknown>> = {
  401: { [HEADERS.wwwAuthenticate]: headerRef(HEADERS.wwwAuthenticate) },
  412: { [HEADERS.etag]: headerRef(HEADERS.etag) },
  429: { [HEADERS.retryAfter]: headerRef(HEADERS.retryAfter) },
  503: { [HEADERS.retryAfter]: headerRef(HEADERS.retryAfter) },
};

/** Documents the problem+json answers an operation (or every operation of a controller) can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Refused',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') as never } },
        ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] as never } : {}),
      }),
    ),
  ) as MethodDecorator & ClassDecorator;
}

/** What every /v1 operation can answer, whatever it does. */
export const ApiCommonProblems = () => ApiProblems(401, 403, 429, 500, 503);
/** Requests with a JSON body. */
export const ApiBodyProblems = () => ApiProblems(400, 413, 415);
