import { ForbiddenException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { IdempotencyKeyReusedError, VersionMismatchError } from '@refund-desk/case-handling';
import { CaseNotFoundError, IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError } from '@refund-desk/domain';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '@refund-desk/event-store';
import { DatabaseUnavailableError } from '@refund-desk/database';
import { RequestValidationError } from '@refund-desk/platform';
import { toProblem } from './problem.filter';

describe('toProblem', () => {
  const logger = new Logger('test');
  beforeAll(() => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  it.each([
    [new InvalidCommandError('bad amount', 'amount'), 400, 'validation'],
    [new RequestValidationError([{ field: 'a', message: 'a is bad' }]), 400, 'validation'],
    [new IllegalTransitionError('DecideCase', 'logged', 'evaluate first'), 409, 'illegal-transition'],
    [new InsufficientAuthorityError('needs manager'), 403, 'insufficient-authority'],
    [new CaseNotFoundError('c1'), 404, 'case-not-found'],
    [new VersionMismatchError(1, 2), 412, 'version-mismatch'],
    [new IdempotencyKeyReusedError('k'), 409, 'idempotency-key-reused'],
    [new WrongExpectedVersionError('s', 1, 2), 409, 'concurrent-modification'],
    [new EventStoreUnavailableError('down'), 503, 'unavailable'],
    [new DatabaseUnavailableError('down'), 503, 'unavailable'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 503, 'unavailable'],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 503, 'unavailable'],
    [new Error('Connection terminated unexpectedly'), 503, 'unavailable'],
    [new ThrottlerException(), 429, 'rate-limited'],
    [new ForbiddenException('no'), 403, 'forbidden'],
    [Object.assign(new Error('too big'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), 413, 'payload-too-large'],
    [new TypeError('boom'), 500, 'internal-error'],
    // Text PostgreSQL cannot store, if it ever gets past validation, is the caller's input: a 400.
    [Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), 400, 'validation'],
    [Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }), 400, 'validation'],
    [Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' }), 400, 'validation'],
    [new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '22P05' }) }), 400, 'validation'],
    [Object.assign(new Error('invalid input syntax for type integer: "x"'), { code: '22P02' }), 500, 'internal-error'],
  ])('maps %p to %i', (error, status, slug) => {
    const { problem } = toProblem(error, logger, '/v1/x');
    expect(problem.status).toBe(status);
    expect(problem.type).toBe(`https://refund-desk.dev/problems/${slug}`);
    expect(problem.instance).toBe('/v1/x');
  });

  it('tells the client when to retry while the store or database is away', () => {
    for (const error of [new EventStoreUnavailableError('down'), new DatabaseUnavailableError('down')]) {
      const { problem, headers } = toProblem(error, logger, '/v1/cases');
      expect(headers['Retry-After']).toMatch(/^\d+$/);
      expect(problem.detail).not.toContain('down');
    }
  });

  it('names the field of a domain validation error and never leaks internals of a 500', () => {
    expect(toProblem(new InvalidCommandError('too much', 'amount'), logger).problem.errors).toEqual([{ field: 'amount', message: 'too much' }]);
    expect(toProblem(new TypeError('secret stack detail'), logger).problem.detail).not.toContain('secret');
  });
});
