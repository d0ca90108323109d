/** Small statistics for bench results: latency quantiles and rates, rounded for tables. */

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarize(values: readonly number[], digits = 1): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number): number => Number(n.toFixed(digits));
  return { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

export const perSecond = (count: number, ms: number): number => (ms > 0 ? Math.round((count * 1000) / ms) : 0);

export const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(2)) : null);

/** Milliseconds since `started` (a process.hrtime.bigint() reading). */
export const msSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e6;
