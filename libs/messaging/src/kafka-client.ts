import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { pgErrorCode } from '@refund-desk/database';
import { classifyError } from '@refund-desk/case-handling';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Longest wait between kafkajs' own retries of a request. */
  readonly retryMaxMs: number;
}

export const parseBrokers = (list: string): string[] =>
  list
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);

/** kafkajs logs through Nest's logger (pino in the processes), at most at warn level. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = new Logger('Kafka');
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // kafkajs retries each request itself before the caller sees an error; callers then back off too.
    retry: { initialRetryTime: 100, maxRetryTime: options.retryMaxMs, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const entry = { msg: `kafkajs: ${message}`, ...extra };
        if (level === logLevel.ERROR) logger.error(entry);
        else if (level === logLevel.WARN) logger.warn(entry);
        else logger.debug?.(entry);
      },
  });
}

/** Backoff for attempt n (1, 2, …): doubling from 100 ms up to max, with jitter so retries spread. */
export const backoffMs = (attempt: number, maxMs: number): number => {
  const base = Math.min(maxMs, 100 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(base / 2 + Math.random() * (base / 2));
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A failure that says nothing about the message: the store, the database or the broker is
 * unavailable, or another writer got in first. The message is retried, never dead-lettered.
 */
export function isTransientFailure(error: unknown): boolean {
  // The error table's retry rows: the store or database unavailable, another writer first.
  if (classifyError(error)?.kafka === 'retry') return true;
  const name = (error as { name?: unknown })?.name;
  if (typeof name === 'string' && name.startsWith('KafkaJS')) return true;
  const code = pgErrorCode(error);
  if (code === undefined) {
    // node-postgres reports a lost or unobtainable connection without a code.
    const message = (error as { message?: unknown })?.message;
    return typeof message === 'string' && /connection terminated|connection timeout|timeout exceeded when trying to connect|connection error/i.test(message);
  }
  if (NETWORK_CODES.has(code)) return true;
  // PostgreSQL classes: connection, transaction rollback, resources, operator intervention, system.
  return /^[0-9A-Z]{5}$/.test(code) && ['08', '40', '53', '57', '58'].includes(code.slice(0, 2));
}
