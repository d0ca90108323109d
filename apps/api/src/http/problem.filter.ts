import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { isUnstorableTextError } from '@refund-desk/database';
import { DomainError, InvalidCommandError } from '@refund-desk/domain';
import { DamagedEventError, EventIdConflictError, isStoreUnavailable, WrongExpectedVersionError } from '@refund-desk/event-store';
import { IdempotencyKeyReusedError, VersionMismatchError } from '@refund-desk/case-handling';
import { FieldError, HttpProblem, problem, PROBLEM_CONTENT_TYPE, ProblemDetails } from '@refund-desk/platform';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
  sent?: boolean;
}

const DOMAIN_STATUS: Record<DomainError['code'], number> = {
  invalid_command: 400,
  illegal_transition: 409,
  insufficient_authority: 403,
  below_legal_floor: 409,
  case_not_found: 404,
};

const DOMAIN_SLUG: Record<DomainError['code'], string> = {
  invalid_command: 'validation',
  illegal_transition: 'illegal-transition',
  insufficient_authority: 'insufficient-authority',
  below_legal_floor: 'below-legal-floor',
  case_not_found: 'case-not-found',
};

/** Fastify's own errors (body parsing, size) carry a statusCode and a code. */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message: string;
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the limit',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but Content-Type says JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the request body as application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
};

/** What a client is told to wait while the store or database is away: a restart takes a few seconds. */
const RETRY_AFTER_SECONDS = 2;

let lastUnavailableLog = 0;
function logUnavailable(logger: Logger, error: unknown): void {
  if (Date.now() - lastUnavailableLog < 1_000) return;
  lastUnavailableLog = Date.now();
  logger.warn({ msg: 'store unavailable; answering 503', err: { message: (error as Error)?.message, cause: ((error as Error)?.cause as Error | undefined)?.message } });
}

/** Maps any error to a Problem Details answer; only a real fault becomes a 500, and it is logged. */
export function toProblem(error: unknown, logger: Logger, path?: string): { problem: ProblemDetails; headers: Record<string, string> } {
  const instance = path ? { instance: path } : {};
  if (error instanceof HttpProblem) {
    return {
      problem: problem(error.status, error.message, { ...error.extras, headers: undefined, ...instance }),
      headers: error.extras.headers ?? {},
    };
  }
  if (error instanceof DomainError) {
    const errors: FieldError[] =
      error instanceof InvalidCommandError && error.field ? [{ field: error.field, message: error.message }] : [];
    return {
      problem: problem(DOMAIN_STATUS[error.code], error.message, { slug: DOMAIN_SLUG[error.code], errors, ...instance }),
      headers: {},
    };
  }
  if (error instanceof VersionMismatchError) {
    return {
      problem: problem(412, error.message, { slug: 'version-mismatch', currentVersion: error.actual, ...instance }),
      headers: { ETag: `"${error.actual}"` },
    };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return { problem: problem(409, error.message, { slug: 'idempotency-key-reused', ...instance }), headers: {} };
  }
  if (error instanceof WrongExpectedVersionError) {
    return {
      problem: problem(409, 'The case changed while this command ran; read it again and retry', {
        slug: 'concurrent-modification',
        currentVersion: error.actual,
        ...instance,
      }),
      headers: {},
    };
  }
  if (error instanceof EventIdConflictError) {
    return { problem: problem(409, error.message, { slug: 'duplicate-event', ...instance }), headers: {} };
  }
  if (error instanceof DamagedEventError) {
    // Stored data changed or lost underneath: an operator must look, so it is logged; the answer
    // names the one event (no stored content), and other cases are unaffected.
    logger.error({ msg: 'damaged event', streamId: error.streamId, ...error.event, reason: error.reason });
    const caseId = error.streamId.startsWith('refundCase-') ? error.streamId.slice('refundCase-'.length) : null;
    return {
      problem: problem(409, `${error.message}. Its stored form no longer matches what was recorded; check it with the verification route and restore it from a backup`, {
        slug: 'damaged-event',
        damagedEvent: { caseId, streamId: error.streamId, ...error.event, reason: error.reason },
        ...instance,
      }),
      headers: {},
    };
  }
  if (isStoreUnavailable(error)) {
    // An outage fails every request at once: one line per request would bury the cause.
    logUnavailable(logger, error);
    return {
      problem: problem(503, 'The event store or database is unavailable; retry shortly', { slug: 'unavailable', ...instance }),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }
  if (error instanceof ThrottlerException) {
    return { problem: problem(429, 'Too many requests; slow down and retry', instance), headers: { 'Retry-After': '60' } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? ((response as { message: string[] }).message).join('; ')
          : String((response as { message?: unknown }).message ?? error.message);
    const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
    if (status >= 500) logger.error({ msg: 'request failed', err: error });
    return { problem: problem(status, message, instance), headers };
  }
  const framework = error as FrameworkError;
  if (typeof framework?.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    const detail = (framework.code && FASTIFY_MESSAGES[framework.code]) ?? framework.message;
    return { problem: problem(framework.statusCode, detail, instance), headers: {} };
  }
  if (isUnstorableTextError(error)) {
    // Validation refuses such text first; this only catches what reached the database some other way.
    return {
      problem: problem(400, 'The request holds text that cannot be stored (a NUL character or an unpaired UTF-16 surrogate)', {
        slug: 'validation',
        ...instance,
      }),
      headers: {},
    };
  }
  if (error instanceof SyntaxError) {
    return { problem: problem(400, 'The request body is not valid JSON', instance), headers: {} };
  }
  logger.error({ msg: 'unhandled error', err: error });
  return { problem: problem(500, 'Something went wrong on our side; it has been logged', instance), headers: {} };
}

export function sendProblem(reply: ReplyLike, result: { problem: ProblemDetails; headers: Record<string, string> }): void {
  reply.status(result.problem.status);
  for (const [name, value] of Object.entries(result.headers)) reply.header(name, value);
  reply.header('Content-Type', PROBLEM_CONTENT_TYPE);
  reply.send(JSON.stringify(result.problem));
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<ReplyLike>();
    const request = http.getRequest<{ url?: string }>();
    if (reply.sent) return;
    sendProblem(reply, toProblem(exception, this.logger, request?.url?.split('?')[0]));
  }
}
