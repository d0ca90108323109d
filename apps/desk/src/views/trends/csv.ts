import type { Schemas } from '../../api/client';

const COLUMNS = ['start', 'group', 'requests', 'escalations', 'approvals', 'denials', 'approvalRate', 'refunded', 'medianHoursToDecision', 'slaBreaches', 'averageSatisfaction'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const field = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The API's buckets as CSV, figures exactly as the API gave them (money as minor units per currency). */
export function trendsCsv(buckets: readonly Schemas['TrendBucketResponse'][]): string {
  const lines = [COLUMNS.join(',')];
  for (const bucket of buckets) {
    const refunded = bucket.refunded.map((money) => `${money.currency} ${money.minor}`).join('; ');
    lines.push(
      [bucket.start, bucket.group ?? '', bucket.requests, bucket.escalations, bucket.approvals, bucket.denials, bucket.approvalRate, refunded, bucket.medianHoursToDecision, bucket.slaBreaches, bucket.averageSatisfaction]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
