import { useIntl } from 'react-intl';
import type { Money } from '../api/client';

/** Minor units per major unit of a currency, as Intl knows it (EUR 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export const toMajor = (money: Money): number => money.minor / 10 ** minorDigits(money.currency);
export const toMinor = (major: number, currency: string): number => Math.round(major * 10 ** minorDigits(currency));

/** Money, dates and durations in the chosen locale. */
export function useFormat() {
  const intl = useIntl();
  return {
    money: (money: Money | null | undefined): string =>
      money ? intl.formatNumber(toMajor(money), { style: 'currency', currency: money.currency }) : '—',
    date: (iso: string | null | undefined): string => (iso ? intl.formatDate(iso, { dateStyle: 'medium' }) : '—'),
    dateTime: (iso: string | null | undefined): string =>
      iso ? intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '—',
    number: (value: number | null | undefined, options?: { style?: 'percent'; maximumFractionDigits?: number }): string =>
      value === null || value === undefined ? '—' : intl.formatNumber(value, options),
    /** 2 d 4 h, 3 h 12 min, 45 s: the largest two units, for the SLA countdown. */
    duration: (ms: number): string => {
      const seconds = Math.floor(Math.abs(ms) / 1000);
      const parts: [number, Intl.NumberFormatOptions['unit']][] = [
        [Math.floor(seconds / 86_400), 'day'],
        [Math.floor((seconds % 86_400) / 3_600), 'hour'],
        [Math.floor((seconds % 3_600) / 60), 'minute'],
        [seconds % 60, 'second'],
      ];
      const first = parts.findIndex(([value]) => value > 0);
      const shown = first === -1 ? [parts[3]] : parts.slice(first, first + 2);
      return shown.map(([value, unit]) => intl.formatNumber(value, { style: 'unit', unit, unitDisplay: 'narrow' })).join(' ');
    },
  };
}

export const shortRef = (caseId: string): string => caseId.slice(0, 8).toUpperCase();
