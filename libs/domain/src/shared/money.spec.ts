import { thrownBy as thrown } from '../testing/fixtures';
import { InvalidCommandError } from './errors';
import { assertSameCurrency, assertValidMoney, isCurrencyCode, minorDigits, sameMoney, toMajor } from './money';

describe('money', () => {
  it('knows ISO-4217 codes and their minor digits', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('EURO')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(toMajor({ minor: 4990, currency: 'EUR' })).toBe(49.9);
  });

  it('takes only three capital letters, whole, as a code', () => {
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCurrencyCode('xEUR')).toBe(false);
    expect(isCurrencyCode('EURx')).toBe(false);
    expect(isCurrencyCode('')).toBe(false);
    expect(toMajor({ minor: 4990, currency: 'JPY' })).toBe(4990);
    expect(toMajor({ minor: 4990, currency: 'BHD' })).toBe(4.99);
  });

  it('refuses an amount that is not a positive whole number of minor units, naming the field', () => {
    for (const minor of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      const refused = thrown(() => assertValidMoney({ minor, currency: 'EUR' }, 'amount'));
      expect(refused).toBeInstanceOf(InvalidCommandError);
      expect(refused).toMatchObject({ message: 'amount.minor must be a positive whole number of minor units', field: 'amount.minor' });
    }
    expect(() => assertValidMoney({ minor: 1, currency: 'EUR' }, 'amount')).not.toThrow();
    expect(() => assertValidMoney({ minor: Number.MAX_SAFE_INTEGER, currency: 'EUR' }, 'amount')).not.toThrow();
  });

  it('refuses a currency that is not an ISO-4217 code, naming the field', () => {
    const refused = thrown(() => assertValidMoney({ minor: 100, currency: 'EURO' }, 'refund.amount'));
    expect(refused).toBeInstanceOf(InvalidCommandError);
    expect(refused).toMatchObject({ message: 'refund.amount.currency must be an ISO-4217 code', field: 'refund.amount.currency' });
  });

  it('refuses a currency other than the one the customer paid in', () => {
    expect(() => assertSameCurrency({ minor: 100, currency: 'EUR' }, 'EUR', 'amount')).not.toThrow();
    expect(thrown(() => assertSameCurrency({ minor: 100, currency: 'USD' }, 'EUR', 'amount'))).toMatchObject({
      message: 'amount.currency must be EUR, the currency the customer paid in',
      field: 'amount.currency',
    });
  });

  it('compares amount and currency both', () => {
    expect(sameMoney({ minor: 100, currency: 'EUR' }, { minor: 100, currency: 'EUR' })).toBe(true);
    expect(sameMoney({ minor: 100, currency: 'EUR' }, { minor: 101, currency: 'EUR' })).toBe(false);
    expect(sameMoney({ minor: 100, currency: 'EUR' }, { minor: 100, currency: 'USD' })).toBe(false);
  });
});
