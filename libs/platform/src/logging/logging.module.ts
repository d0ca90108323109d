import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { redactUrl } from './redact';

/**
 * Structured JSON logs (pino) for every process: one line per request with its correlation id,
 * and the Authorization header never written out.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          genReqId: (req: { headers: Record<string, unknown> }) =>
            (typeof req.headers['x-correlation-id'] === 'string' && req.headers['x-correlation-id']) || randomUUID(),
          // 503 is the store or database being away, already logged once a second by the error
          // filter: an error line per request would bury the cause during an outage.
          customLogLevel: (_req: unknown, res: { statusCode: number }, err?: Error) =>
            res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          autoLogging: { ignore: (req: { url?: string }) => req.url === '/health' || req.url === '/metrics' },
          serializers: {
            // The URL without credentials: a token sent in the query string is refused, and must not be kept here either.
            req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        },
      }),
    }),
  ],
  exports: [LoggerModule],
})
export class LoggingModule {}
