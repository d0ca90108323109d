import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where suites put what a failed wait found. CI keeps only the start and the end of a failed run's
 * output, so a diagnosis inside jest's report of the failure is cut away; `.ci/run` prints these
 * files after the tests when they fail, where the end of the output shows them.
 */
export const DIAGNOSIS_DIR = join(__dirname, '..', '..', 'reports', 'diagnosis');

/** Longest line kept: a diagnosis must fit in the last lines of CI's output. */
const MAX_LINE = 400;

/** Appends `lines` (each cut to MAX_LINE characters) under a timestamped title to `<suite>.txt`. */
export function recordDiagnosis(suite: string, title: string, lines: readonly string[]): void {
  try {
    mkdirSync(DIAGNOSIS_DIR, { recursive: true });
    const body = lines.map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line));
    appendFileSync(join(DIAGNOSIS_DIR, `${suite}.txt`), [`${new Date().toISOString()} ${title}`, ...body.map((line) => `  ${line}`), ''].join('\n'));
  } catch {
    // A diagnosis that cannot be written must not replace the failure it describes.
  }
}
