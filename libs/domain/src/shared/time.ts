const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const addHours = (at: Date, hours: number): Date => new Date(at.getTime() + hours * HOUR_MS);
export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);
/** Whole days elapsed, rounded down; negative when `to` is before `from`. */
export const wholeDaysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
export const iso = (at: Date): string => at.toISOString();
