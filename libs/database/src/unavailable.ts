import { pgErrorCode } from './sql-database';

/**
 * The database cannot be reached, or dropped the connection mid-statement: nothing about the
 * request is wrong, and the same request may succeed in a moment. Callers answer 503 or retry.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'database_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Socket-level failures node-postgres passes on with the errno code. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * PostgreSQL SQLSTATEs that say the server, not the statement, is the problem: class 08
 * (connection exception), 57P01–57P05 (admin shutdown, crash shutdown, cannot connect now, idle
 * session timeout, …), 53300 (too many connections). Not 57014 (a statement cancelled on
 * purpose: statement_timeout) nor class 40 (the caller retries those itself).
 */
const isUnavailableSqlState = (code: string): boolean => code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300';

/**
 * node-postgres reports a lost or unobtainable connection without a code, only in words: the
 * server went away mid-query, a pooled client died earlier, the pool waited too long to connect.
 */
const CONNECTION_MESSAGE =
  /connection terminated|terminating connection|not queryable|connection timeout|timeout exceeded when trying to connect|connection error|server closed the connection|the database system is (starting up|shutting down|in recovery)/i;

/** Whether an error from the pg driver means the database is unavailable (rather than the statement being wrong). */
export function isDatabaseConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = pgErrorCode(error);
  if (code !== undefined) return NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code));
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && CONNECTION_MESSAGE.test(message);
}

/** The error as callers should see it: connection failures become DatabaseUnavailableError, others pass unchanged. */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isDatabaseConnectionFailure(error)) return error;
  const message = (error as Error).message || String(pgErrorCode(error));
  return new DatabaseUnavailableError(`The database is unavailable: ${message}`, { cause: error });
}
