import { DatabaseUnavailableError, isDatabaseConnectionFailure, toDatabaseError } from './unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseConnectionFailure', () => {
  it.each([
    ['refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset', pgError('ECONNRESET')],
    ['admin shutdown (pg_terminate_backend, fast stop)', pgError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown', pgError('57P02')],
    ['starting up', pgError('57P03', 'the database system is starting up')],
    ['connection exception class', pgError('08006')],
    ['too many connections', pgError('53300')],
    ['a lost socket without a code', new Error('Connection terminated unexpectedly')],
    ['a client that died earlier', new Error('Client has encountered a connection error and is not queryable')],
    ['the pool could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['already wrapped', new DatabaseUnavailableError('down')],
  ])('%s is a connection failure', (_name, error) => {
    expect(isDatabaseConnectionFailure(error)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505')],
    ['serialization failure (the caller retries it)', pgError('40001')],
    ['statement timeout', pgError('57014')],
    ['invalid text', pgError('22P05')],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'boom'],
    ['null', null],
  ])('%s is not', (_name, error) => {
    expect(isDatabaseConnectionFailure(error)).toBe(false);
  });

  it('wraps connection failures and keeps the cause; passes other errors unchanged', () => {
    const refused = pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const wrapped = toDatabaseError(refused);
    expect(wrapped).toBeInstanceOf(DatabaseUnavailableError);
    expect((wrapped as Error).cause).toBe(refused);
    const unique = pgError('23505');
    expect(toDatabaseError(unique)).toBe(unique);
  });
});
