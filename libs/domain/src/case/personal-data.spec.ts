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
    const decided = { caseId: 'c1', outcome: 'refund' };
    expect(withoutPersonalData('Decided', decided)).toBe(decided);
    expect(withoutPersonalData('SomethingNew', decided)).toBe(decided);
    expect(withoutPersonalData('FollowedUp', { caseId: 'c', comment: 'great', satisfaction: 5 })).toEqual({ caseId: 'c', comment: null, satisfaction: 5 });
  });
});
