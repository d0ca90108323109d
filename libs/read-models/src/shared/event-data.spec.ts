import { time } from './event-data';

describe('time', () => {
  const viaDate = (value: string): string | null => {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  };

  it('reads a time as a Date would, whatever its form', () => {
    const samples = [
      '2026-01-05T07:52:43.957Z',
      '0000-01-01T00:00:00.000Z',
      '2023-02-29T10:00:00.000Z',
      '2024-04-31T10:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T23:60:00.000Z',
      '2024-01-01T10:00:00+02:00',
      '2024-01-01',
      'yesterday',
    ];
    for (const value of samples) expect([value, time(value)]).toEqual([value, viaDate(value)]);
  });

  it('takes anything but a string as no time', () => {
    expect([time(null), time(1_700_000_000_000), time({})]).toEqual([null, null, null]);
  });
});
