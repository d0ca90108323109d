import { isCurrencyCode, minorDigits, toMajor } from './money';

describe('money', () => {
  it('knows ISO-4217 codes and their minor digits', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('EURO')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(toMajor({ minor: 4990, currency: 'EUR' })).toBe(49.9);
  });
});
