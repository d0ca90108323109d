import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { fieldErrors, VALIDATOR_OPTIONS } from '@refund-desk/platform';
import { AppealDto, AppealVerdictDto, ApprovalDto } from './case-commands.dto';

const fieldsWrong = async (type: new () => object, body: Record<string, unknown>): Promise<string[]> =>
  [...new Set(fieldErrors(await validate(plainToInstance(type, body), VALIDATOR_OPTIONS)).map((e) => e.field))].sort();

describe('the approval body', () => {
  it.each([
    [{ verdict: 'approved' }, []],
    [{ verdict: 'approved', note: 'Receipts match' }, []],
    [{ verdict: 'rejected', note: 'The photos show wear' }, []],
    [{ verdict: 'rejected' }, ['note']],
    [{ verdict: 'rejected', note: '' }, ['note']],
    [{ verdict: 'approved', note: 'x'.repeat(4_001) }, ['note']],
    [{ verdict: 'maybe' }, ['verdict']],
    [{ verdict: 'approved', reason: 'typo for note' }, ['reason']],
  ])('%j: wrong fields %j', async (body, wrong) => {
    expect(await fieldsWrong(ApprovalDto, body)).toEqual(wrong);
  });
});

describe('the appeal verdict body', () => {
  const decision = { outcome: 'partial_refund', amount: { minor: 2_500, currency: 'EUR' } };
  it.each([
    [{ verdict: 'upheld', rationale: 'Misuse on the photos' }, []],
    [{ verdict: 'overturned', rationale: 'Faulty', decision }, []],
    [{ verdict: 'overturned', rationale: 'Faulty' }, ['decision']],
    [{ verdict: 'overturned', rationale: 'Faulty', decision: [decision] }, ['decision']],
    [{ verdict: 'overturned', rationale: 'Faulty', decision: { ...decision, outcome: 'maybe' } }, ['decision.outcome']],
    // Checked here as well, so the domain's "send no new decision" is the only answer to an upheld one that carries a valid one.
    [{ verdict: 'upheld', rationale: 'Misuse', decision: { outcome: 'refund', rationale: 'not here' } }, ['decision.rationale']],
    [{ verdict: 'partly', rationale: 'Faulty' }, ['verdict']],
    [{ verdict: 'upheld' }, ['rationale']],
  ])('%j: wrong fields %j', async (body, wrong) => {
    expect(await fieldsWrong(AppealVerdictDto, body)).toEqual(wrong);
  });
});

describe('the appeal body', () => {
  it.each([
    [{ reason: 'Faulty from the start' }, []],
    [{ reason: 'Faulty', evidence: [{ kind: 'video', uri: 'https://files.example.com/v/1.mp4' }] }, []],
    [{ reason: '' }, ['reason']],
    [{ reason: 'Faulty', evidence: [{ kind: 'video', uri: 'ftp://files.example.com/v/1.mp4' }] }, ['evidence.0.uri']],
    [{ reason: 'Faulty', verdict: 'overturned' }, ['verdict']],
  ])('%j: wrong fields %j', async (body, wrong) => {
    expect(await fieldsWrong(AppealDto, body)).toEqual(wrong);
  });
});
