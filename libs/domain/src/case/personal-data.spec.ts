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

  it('leaves events without personal data, and unknown types, untouched', () => {
    const decided = { caseId: 'c1', outcome: 'refund' };
    expect(withoutPersonalData('Decided', decided)).toBe(decided);
    expect(withoutPersonalData('SomethingNew', decided)).toBe(decided);
    expect(withoutPersonalData('FollowedUp', { caseId: 'c', comment: 'great', satisfaction: 5 })).toEqual({ caseId: 'c', comment: null, satisfaction: 5 });
  });
});
