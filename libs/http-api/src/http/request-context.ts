import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { CommandContext } from '@refund-desk/case-handling';
import { attachTraceContext, HttpProblem, Principal, traceHeaders } from '@refund-desk/platform';

interface ApiRequest {
  id: string;
  principal: Principal;
  headers: Record<string, string | string[] | undefined>;
  raw: { headers: Record<string, string | string[] | undefined> };
}

/** If-Match: "5" (or W/"5", or 5) → 5; `*` or absent → no precondition. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value);
  if (!match) {
    throw new HttpProblem(400, 'If-Match must be the quoted version from an ETag, e.g. "3"', {
      errors: [{ field: 'If-Match', message: 'must be an ETag such as "3"' }],
    });
  }
  return Number(match[1]);
}

export const etag = (version: number): string => `"${version}"`;

/** The command context of an HTTP request: the token's subject, the correlation id, If-Match, the trace. */
export const RequestContext = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<ApiRequest>();
  return {
    actor: request.principal,
    correlationId: request.id,
    causationId: request.id,
    expectedVersion: parseIfMatch(request.headers['if-match']),
    trace: traceHeaders(attachTraceContext(request.raw)),
  };
});
