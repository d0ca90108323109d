import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseUnavailableError } from '@refund-desk/database';
import { CaseNotFoundError, IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, SeparationOfDutiesError } from '@refund-desk/domain';
import { DamagedEventError, EventIdConflictError, EventStoreUnavailableError, WrongExpectedVersionError } from '@refund-desk/event-store';
import { IdempotencyKeyReusedError, VersionMismatchError } from './command-errors';
import { classifyError, ERROR_TABLE } from './error-table';

const damaged = new DamagedEventError('refundCase-c9', { version: 3, position: 40, eventId: 'e-3', type: 'Decided' }, 'hash_mismatch', 'its hash does not match');

describe('the error table', () => {
  it.each([
    [new InvalidCommandError('bad amount', 'amount'), 'invalid_command', 400, 'validation', 'dead-letter'],
    [new IllegalTransitionError('DecideCase', 'logged', 'evaluate first'), 'illegal_transition', 409, 'illegal-transition', 'dead-letter'],
    [new InsufficientAuthorityError('needs manager'), 'insufficient_authority', 403, 'insufficient-authority', 'dead-letter'],
    [new SeparationOfDutiesError('approved by its decider'), 'separation_of_duties', 403, 'separation-of-duties', 'dead-letter'],
    [new CaseNotFoundError('c1'), 'case_not_found', 404, 'case-not-found', 'dead-letter'],
    [new VersionMismatchError(1, 2), 'version_mismatch', 412, 'version-mismatch', 'dead-letter'],
    [new IdempotencyKeyReusedError('k'), 'idempotency_key_reused', 409, 'idempotency-key-reused', 'dead-letter'],
    [new EventIdConflictError('s', ['e1']), 'event_id_conflict', 409, 'duplicate-event', 'dead-letter'],
    [new WrongExpectedVersionError('s', 1, 2), 'wrong_expected_version', 409, 'concurrent-modification', 'retry'],
    [damaged, 'damaged_event', 409, 'damaged-event', 'retry-then-dead-letter'],
    [new EventStoreUnavailableError('down'), 'store_unavailable', 503, 'unavailable', 'retry'],
    [new DatabaseUnavailableError('down'), 'store_unavailable', 503, 'unavailable', 'retry'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'store_unavailable', 503, 'unavailable', 'retry'],
    [Object.assign(new Error('invalid byte sequence'), { code: '22021' }), 'unstorable_text', 400, 'validation', 'retry-then-dead-letter'],
  ])('classifies %p as %s', (error, code, status, problemType, kafka) => {
    expect(classifyError(error)).toMatchObject({ code, status, problemType, kafka, message: error.message });
  });

  it('leaves an error no row knows to each edge (a 500 on HTTP, retried then set aside on Kafka)', () => {
    expect(classifyError(new TypeError('x is undefined'))).toBeUndefined();
    expect(classifyError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(classifyError('a string')).toBeUndefined();
  });

  it('gives the problem members and headers of a row', () => {
    expect(classifyError(new InvalidCommandError('too much', 'amount'))?.members).toEqual({ errors: [{ field: 'amount', message: 'too much' }] });
    expect(classifyError(new VersionMismatchError(1, 4))).toMatchObject({ members: { currentVersion: 4 }, headers: { ETag: '"4"' } });
    expect(classifyError(new EventStoreUnavailableError('secret host'))).toMatchObject({ headers: { 'Retry-After': '2' } });
    expect(classifyError(new EventStoreUnavailableError('secret host'))?.detail).not.toContain('secret');
    expect(classifyError(new SeparationOfDutiesError('own decision', { rule: 'four_eyes', decidedBy: 'mgr_1' }))?.members).toEqual({
      separationOfDuties: { rule: 'four_eyes', decidedBy: 'mgr_1' },
    });
    expect(classifyError(damaged)?.members).toEqual({
      damagedEvent: { caseId: 'c9', streamId: 'refundCase-c9', version: 3, position: 40, eventId: 'e-3', type: 'Decided', reason: 'hash_mismatch' },
    });
  });

  it('has one row per code', () => {
    const codes = ERROR_TABLE.map((row) => row.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('is what docs/contract.md says: every problem type in its error table, every dead-lettered code in its Kafka table', () => {
    const contract = readFileSync(join(__dirname, '../../../../docs/contract.md'), 'utf8');
    for (const row of ERROR_TABLE) {
      expect(contract).toContain(`| \`${row.problemType}\` | ${row.status} |`);
      if (row.kafka === 'dead-letter') expect(contract).toMatch(new RegExp(`\\| \`${row.code}\` \\|[^\\n]*\\| dead-lettered \\|`));
    }
  });
});
