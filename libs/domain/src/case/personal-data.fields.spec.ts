import { CASE_EVENT_TYPES } from './events';
import { personalDataPaths, withoutPersonalData } from './personal-data';

/**
 * Every personal field of every event type, written out by hand: a field dropped from the list in
 * personal-data.ts would reach read models and Kafka in clear, so each one is checked by name.
 */
describe('personal data, field by field', () => {
  const PROSE = 'Maria Rossi, via Roma 1';

  it.each([
    ['RequestLogged', { customer: { id: 'cus_1', name: PROSE, email: 'm@example.com', phone: '+39 06 1234', locale: 'it' }, reason: { code: 'defective', description: PROSE } },
      { customer: { id: 'cus_1', name: null, email: null, phone: null, locale: 'it' }, reason: { code: 'defective', description: null } }],
    ['NoteAdded', { noteId: 'n1', text: PROSE, addedBy: 'agent-ana' }, { noteId: 'n1', text: null, addedBy: 'agent-ana' }],
    ['Escalated', { reason: PROSE, reasonCodes: ['amount'] }, { reason: null, reasonCodes: ['amount'] }],
    ['Decided', { outcome: 'denied', rationale: PROSE, legalBasis: PROSE }, { outcome: 'denied', rationale: null, legalBasis: null }],
    ['CustomerNotified', { channel: 'email', locale: 'it', subject: PROSE, body: PROSE, templateId: 't1' }, { channel: 'email', locale: 'it', subject: null, body: null, templateId: 't1' }],
    ['RefundFailed', { reference: 'r1', failureReason: PROSE }, { reference: 'r1', failureReason: null }],
    ['FollowedUp', { satisfaction: 4, comment: PROSE }, { satisfaction: 4, comment: null }],
    ['CaseClosed', { closedBy: 'agent-ana', summary: PROSE }, { closedBy: 'agent-ana', summary: null }],
    ['DecisionApproved', { approvedBy: 'senior-sara', note: PROSE }, { approvedBy: 'senior-sara', note: null }],
    ['DecisionRejected', { rejectedBy: 'senior-sara', reason: PROSE }, { rejectedBy: 'senior-sara', reason: null }],
    ['DecisionAppealed', { appealedBy: 'agent-ana', reason: PROSE, priority: 'normal' }, { appealedBy: 'agent-ana', reason: null, priority: 'normal' }],
    ['AppealDecided', { verdict: 'overturned', rationale: PROSE, decision: { outcome: 'refund', rationale: PROSE, legalBasis: PROSE } },
      { verdict: 'overturned', rationale: null, decision: { outcome: 'refund', rationale: null, legalBasis: null } }],
  ])('%s', (type, data, expected) => {
    const input = { caseId: 'c1', ...data };
    expect(withoutPersonalData(type, input)).toEqual({ caseId: 'c1', ...expected });
    expect(JSON.stringify(input)).toContain(PROSE);
  });

  it.each(['PolicyEvaluated', 'CaseAssigned', 'RefundIssued', 'RefundSettled', 'CustomerDataErased', 'DeadlineMissed'])(
    '%s holds codes, ids, amounts and dates only',
    (type) => {
      expect(personalDataPaths(type)).toEqual([]);
      const data = { caseId: 'c1', reason: 'kept', text: 'kept', summary: 'kept' };
      expect(withoutPersonalData(type, data)).toBe(data);
    },
  );

  it('every type with personal fields is listed above, and those without below', () => {
    const withFields = CASE_EVENT_TYPES.filter((type) => personalDataPaths(type).length > 0);
    expect(withFields.sort()).toEqual(
      ['RequestLogged', 'NoteAdded', 'Escalated', 'Decided', 'CustomerNotified', 'RefundFailed', 'FollowedUp', 'CaseClosed', 'DecisionApproved', 'DecisionRejected', 'DecisionAppealed', 'AppealDecided'].sort(),
    );
  });

  it('an inherited name is not an event type', () => {
    expect(personalDataPaths('constructor')).toEqual([]);
    expect(personalDataPaths('toString')).toEqual([]);
  });

  it('a path through an array copies the array, so the input keeps its words', () => {
    // No event nests personal data in an array today; the copy must still never write through.
    const data = { caseId: 'c1', decision: { rationale: PROSE, legalBasis: PROSE }, rationale: PROSE };
    const copy = withoutPersonalData('AppealDecided', data);
    expect(data.decision).toEqual({ rationale: PROSE, legalBasis: PROSE });
    expect(copy.decision).not.toBe(data.decision);
    const listed = { caseId: 'c1', decision: [PROSE], rationale: PROSE };
    const listedCopy = withoutPersonalData('AppealDecided', listed);
    expect(listed.decision).toEqual([PROSE]);
    expect(listedCopy).toEqual({ caseId: 'c1', decision: [PROSE], rationale: null });
  });

  it('leaves absent fields absent, and an AppealDecided that upholds keeps its null decision', () => {
    expect(withoutPersonalData('RequestLogged', { caseId: 'c1', customer: { id: 'cus_1' } })).toEqual({ caseId: 'c1', customer: { id: 'cus_1' } });
    expect(withoutPersonalData('RequestLogged', { caseId: 'c1', customer: { id: 'cus_1', email: undefined } })).not.toHaveProperty('customer.email', null);
    expect(withoutPersonalData('AppealDecided', { caseId: 'c1', rationale: PROSE, decision: null })).toEqual({ caseId: 'c1', rationale: null, decision: null });
  });
});
