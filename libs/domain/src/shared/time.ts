const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const addHours = (at: Date, hours: number): Date => new Date(at.getTime() + hours * HOUR_MS);
export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);
/** Whole days elapsed, rounded down; negative when `to` is before `from`. */
export const wholeDaysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
export const iso = (at: Date): string => at.toISOString();

/** Monday to Friday; public holidays differ by country and are not counted out. */
export function addBusinessDays(at: Date, days: number): Date {
  let result = at;
  for (let left = days; left > 0; ) {
    result = addDays(result, 1);
    const weekday = result.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return result;
}
