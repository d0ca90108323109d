import { DatabaseUnavailableError } from '@refund-desk/database';
import { EventStoreUnavailableError } from '@refund-desk/event-store';
import { isTransientError } from './batch-applier';

describe('isTransientError (retry the batch, never set the event aside)', () => {
  it.each([
    // node-postgres gives a lost connection no SQLSTATE: it used to be taken for a poison event.
    ['a connection lost mid-batch', new Error('Connection terminated unexpectedly')],
    ['a client that died earlier', new Error('Client has encountered a connection error and is not queryable')],
    ['the database layer saying so', new DatabaseUnavailableError('down')],
    ['the event store saying so', new EventStoreUnavailableError('down')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['an administrator shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
  ])('%s is retried', (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['a projection bug', new TypeError('x is undefined')],
    ['bad data', Object.assign(new Error('invalid input syntax'), { code: '22P02' })],
  ])('%s is not', (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});
