import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { classifyError } from '@refund-desk/case-handling';
import { DamagedEventError } from '@refund-desk/event-store';
import { HttpProblem, problem, PROBLEM_CONTENT_TYPE, ProblemDetails } from '@refund-desk/platform';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
  sent?: boolean;
}

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

let lastUnavailableLog = 0;
function logUnavailable(logger: Logger, error: unknown): void {
  if (Date.now() - lastUnavailableLog < 1_000) return;
  lastUnavailableLog = Date.now();
  logger.warn({ msg: 'store unavailable; answering 503', err: { message: (error as Error)?.message, cause: ((error as Error)?.cause as Error | undefined)?.message } });
}

/**
 * Maps any error to a Problem Details answer: the errors of commands by the error table (shared with
 * the Kafka relay), the HTTP layer's own here. Only a real fault becomes a 500, and it is logged.
 */
export function toProblem(error: unknown, logger: Logger, path?: string): { problem: ProblemDetails; headers: Record<string, string> } {
  const instance = path ? { instance: path } : {};
  if (error instanceof HttpProblem) {
    return {
      problem: problem(error.status, error.message, { ...error.extras, headers: undefined, ...instance }),
      headers: error.extras.headers ?? {},
    };
  }
  const known = classifyError(error);
  if (known) {
    if (error instanceof DamagedEventError) {
      // Stored data changed or lost underneath: an operator must look, so it is logged.
      logger.error({ msg: 'damaged event', streamId: error.streamId, ...error.event, reason: error.reason });
    }
    // An outage fails every request at once: one line per request would bury the cause.
    if (known.code === 'store_unavailable') logUnavailable(logger, error);
    return { problem: problem(known.status, known.detail, { slug: known.problemType, ...known.members, ...instance }), headers: { ...known.headers } };
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
