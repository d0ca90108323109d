import { DatabaseUnavailableError } from '@refund-desk/database';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '@refund-desk/event-store';
import { CaseNotFoundError } from '@refund-desk/domain';
import { backoffMs, isTransientFailure, parseBrokers } from './kafka-client';

describe('isTransientFailure', () => {
  it.each([
    ['the store is unavailable', new EventStoreUnavailableError('down')],
    ['another writer got in first', new WrongExpectedVersionError('refundCase-1', 2, 3)],
    ['the server refuses connections', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['the server is shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a serialization failure', Object.assign(new Error('could not serialize'), { code: '40001' })],
    ['node-postgres lost its connection', new Error('Connection terminated unexpectedly')],
    ['the database layer reports it unavailable', new DatabaseUnavailableError('down')],
    ['a kafkajs error', Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' })],
  ])('retries when %s', (_name, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a domain refusal', new CaseNotFoundError('c1')],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('does not treat %s as an outage', (_name, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('grows from about 100 ms and never passes the maximum', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      const delay = backoffMs(attempt, 5_000);
      expect(delay).toBeGreaterThanOrEqual(Math.min(5_000, 100 * 2 ** (attempt - 1)) / 2);
      expect(delay).toBeLessThanOrEqual(5_000);
    }
  });
});

describe('parseBrokers', () => {
  it('splits a comma-separated list and drops blanks', () => {
    expect(parseBrokers('a:9092, b:9093,,')).toEqual(['a:9092', 'b:9093']);
  });
});
