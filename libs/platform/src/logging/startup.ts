import { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';
import { ConfigError } from '../config/app-config';
import { serviceIdentity } from './service-identity';

/** A dependency the process could not reach or open at start-up, and the setting that points at it. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: string,
    readonly setting: string | undefined,
    cause: unknown,
  ) {
    super(`${dependency} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DependencyError';
  }
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The logger of the moments before the application's own (nestjs-pino) exists: the same JSON
 * lines with the same service and version, written synchronously so a line logged just before
 * process.exit is not lost. stdout by default, as every log line; stderr for the line that says
 * why the process exits.
 */
export function createStartupLogger(env: NodeJS.ProcessEnv = process.env, fd: 1 | 2 = 1): PinoLogger {
  const level = env.LOG_LEVEL && LEVELS.has(env.LOG_LEVEL) ? env.LOG_LEVEL : 'info';
  return pino({ level, base: { ...serviceIdentity() } }, pino.destination({ dest: fd, sync: true }));
}

/** Nest's logger interface over pino, for NestFactory.create until app.useLogger takes over. */
export class StartupNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }
}

/** The fields that say why start-up failed: the settings at fault, or the dependency and its setting. */
export function describeStartupFailure(error: unknown): Record<string, unknown> {
  if (error instanceof ConfigError) {
    return { reason: 'configuration', settings: error.settings, problems: error.problems, msg: `start-up failed: invalid configuration (${error.settings.join(', ')})` };
  }
  if (error instanceof DependencyError) {
    return {
      reason: 'dependency',
      dependency: error.dependency,
      ...(error.setting ? { setting: error.setting } : {}),
      err: error.cause ?? error,
      msg: `start-up failed: ${error.message}`,
    };
  }
  return { reason: 'unexpected', err: error, msg: `start-up failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** Logs why the process cannot start, as one JSON line on stderr, and exits with code 1. */
export function failStartup(error: unknown, logger: PinoLogger = createStartupLogger(process.env, 2)): never {
  const { msg, ...fields } = describeStartupFailure(error);
  logger.fatal(fields, msg as string);
  process.exit(1);
}
