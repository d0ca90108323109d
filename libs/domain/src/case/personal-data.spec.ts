import { CASE_EVENT_TYPES } from './events';
import { PERSONAL_DATA_PATHS, withoutPersonalData } from './personal-data';

describe('personal data in events', () => {
  it('names the personal fields of every case event type', () => {
    expect(Object.keys(PERSONAL_DATA_PATHS).sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it('nulls the customer’s name, contacts and words, and nothing else', () => {
    const data = {
      caseId: 'c1',
      customer: { id: 'cus_1', name: 'Maria', email: 'm@example.com', locale: 'it' },
      reason: { code: 'defective', description: 'It broke' },
      amount: { minor: 100, currency: 'EUR' },
    };
    expect(withoutPersonalData('RequestLogged', data)).toEqual({
      caseId: 'c1',
      customer: { id: 'cus_1', name: null, email: null, locale: 'it' },
      reason: { code: 'defective', description: null },
      amount: { minor: 100, currency: 'EUR' },
    });
    expect(data.customer.name).toBe('Maria');
  });

  it('copies only what it changes, never touches the input, and takes odd shapes in its stride', () => {
    const data = { caseId: 'c1', customer: { id: 'cus_1', name: 'Maria' }, reason: 'broken', product: { sku: 'p1' } };
    const copy = withoutPersonalData('RequestLogged', data);
    expect(copy).toEqual({ caseId: 'c1', customer: { id: 'cus_1', name: null }, reason: 'broken', product: { sku: 'p1' } });
    expect(data).toEqual({ caseId: 'c1', customer: { id: 'cus_1', name: 'Maria' }, reason: 'broken', product: { sku: 'p1' } });
    expect(copy.product).toBe(data.product);
    expect(withoutPersonalData('RequestLogged', { customer: ['Maria'], reason: null })).toEqual({ customer: ['Maria'], reason: null });
  });

  it('leaves events without personal data, and unknown types, untouched', () => {
    const evaluated = { caseId: 'c1', withinPolicy: false };
    expect(withoutPersonalData('PolicyEvaluated', evaluated)).toBe(evaluated);
    expect(withoutPersonalData('SomethingNew', evaluated)).toBe(evaluated);
    expect(withoutPersonalData('FollowedUp', { caseId: 'c', comment: 'great', satisfaction: 5 })).toEqual({ caseId: 'c', comment: null, satisfaction: 5 });
  });

  it('treats what staff write as personal data too: rationale, legal basis, reasons, summaries', () => {
    expect(withoutPersonalData('Decided', { caseId: 'c1', outcome: 'denied', rationale: 'Maria Rossi used it', legalBasis: 'Art. 5', alternativesOffered: ['repair'] }))
      .toEqual({ caseId: 'c1', outcome: 'denied', rationale: null, legalBasis: null, alternativesOffered: ['repair'] });
    expect(withoutPersonalData('Decided', { caseId: 'c1', rationale: 'x', legalBasis: null })).toEqual({ caseId: 'c1', rationale: null, legalBasis: null });
    expect(withoutPersonalData('Escalated', { caseId: 'c1', reason: 'Maria called twice', reasonCodes: ['amount'] })).toEqual({ caseId: 'c1', reason: null, reasonCodes: ['amount'] });
    expect(withoutPersonalData('RefundFailed', { caseId: 'c1', failureReason: 'account of M. Rossi closed', reference: 'r1' })).toEqual({ caseId: 'c1', failureReason: null, reference: 'r1' });
    expect(withoutPersonalData('CaseClosed', { caseId: 'c1', summary: 'Maria happy' })).toEqual({ caseId: 'c1', summary: null });
  });
});
