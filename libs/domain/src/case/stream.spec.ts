import { CASE_STREAM_CATEGORY, caseIdFromStream, caseStreamName } from './stream';

describe('case streams', () => {
  it('names a case’s stream by its category and id, and reads the id back', () => {
    expect(CASE_STREAM_CATEGORY).toBe('refundCase');
    expect(caseStreamName('c-1')).toBe('refundCase-c-1');
    expect(caseIdFromStream('refundCase-c-1')).toBe('c-1');
    expect(caseIdFromStream(caseStreamName('01J9-x'))).toBe('01J9-x');
  });

  it('reads no case id from another category’s stream', () => {
    expect(caseIdFromStream('refundCaseX-1')).toBeUndefined();
    expect(caseIdFromStream('policy-1')).toBeUndefined();
    expect(caseIdFromStream('xrefundCase-1')).toBeUndefined();
    expect(caseIdFromStream('refundCase')).toBeUndefined();
  });
});
