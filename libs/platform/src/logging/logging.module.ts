import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Module } from '@nestjs/common';
import { DestinationStream } from 'pino';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { traceContextOf } from '../tracing/trace-context';
import { serviceIdentity } from './service-identity';

/** Probes and scrapes: frequent, uninteresting, and not to drown the request log. */
export const isOperationalPath = (url: string | undefined): boolean => /^\/(?:health(?:\/[^?]*)?|metrics)\/?(?:\?|$)/.test(url ?? '');

/** Where log lines go: stdout unless a test hands in a stream to read them from. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

interface RawRequest {
  id?: unknown;
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, unknown>;
}
import { redactUrl } from './redact';

/**
 * Structured JSON logs (pino) for every process: each line names the service and its version;
 * one line per request with its correlation id and trace id, and the Authorization header never
 * written out.
 */
const withDestination = <T extends object>(destination: DestinationStream | null, options: T): T | [T, DestinationStream] =>
  destination ? [options, destination] : options;

@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: LOG_DESTINATION, useValue: null }],
      inject: [AppConfig, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream | null) => ({
        pinoHttp: withDestination(destination, {
          level: config.LOG_LEVEL,
          base: { pid: process.pid, hostname: hostname(), ...serviceIdentity() },
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          genReqId: (req: { headers: Record<string, unknown> }) =>
            (typeof req.headers['x-correlation-id'] === 'string' && req.headers['x-correlation-id']) || randomUUID(),
          // 503 is the store or database being away, already logged once a second by the error
          // filter: an error line per request would bury the cause during an outage.
          customLogLevel: (_req: unknown, res: { statusCode: number }, err?: Error) =>
            res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          // Behind Nest's middleware layer `url` may be cut to the part after the mount path; originalUrl is the request's.
          autoLogging: { ignore: (req: object) => isOperationalPath((req as RawRequest).originalUrl ?? (req as RawRequest).url) },
          customProps: (req: object) => {
            const trace = traceContextOf(req);
            return trace ? { traceId: trace.traceId, spanId: trace.spanId } : {};
          },
          serializers: {
            // The URL without credentials: a token sent in the query string is refused, and must not be kept here either.
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        }),
      }),
    }),
  ],
  exports: [LoggerModule],
})
export class LoggingModule {}
