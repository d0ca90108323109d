import { InvalidCommandError } from './errors';

/** Money is always integer minor units with its ISO-4217 currency. */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

const knownCurrencies: ReadonlySet<string> = new Set(
  (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('currency'),
);

export const isCurrencyCode = (code: string): boolean =>
  /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);

/** Digits after the decimal point for a currency (EUR 2, JPY 0, BHD 3), from the ICU data Node ships. */
export const minorDigits = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

export const toMajor = (money: Money): number => money.minor / 10 ** minorDigits(money.currency);

export function assertValidMoney(money: Money, field: string): void {
  if (!Number.isSafeInteger(money.minor) || money.minor <= 0) {
    throw new InvalidCommandError(`${field}.minor must be a positive whole number of minor units`, `${field}.minor`);
  }
  if (!isCurrencyCode(money.currency)) {
    throw new InvalidCommandError(`${field}.currency must be an ISO-4217 code`, `${field}.currency`);
  }
}

export function assertSameCurrency(money: Money, expected: string, field: string): void {
  if (money.currency !== expected) {
    throw new InvalidCommandError(
      `${field}.currency must be ${expected}, the currency the customer paid in`,
      `${field}.currency`,
    );
  }
}

export const sameMoney = (a: Money, b: Money): boolean => a.minor === b.minor && a.currency === b.currency;
