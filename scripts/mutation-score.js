#!/usr/bin/env node
/**
 * The mutation score of libs/domain from one or more Stryker JSON reports (npm run
 * test:mutation:score -- a.json b.json …; default reports/mutation/mutation.json).
 *
 * A full run takes hours on a 2-core machine, so the README suggests runs of a folder at a time;
 * this adds their reports up: per file (a file in several reports counts from the last one given),
 * then the whole. With --survivors, it also lists each mutant left alive (file:line, mutator, the
 * code and its replacement) for review. Score as Stryker counts it: killed and timed out are
 * detected; survived and without coverage are not; ignored and erroring mutants are left out.
 */
const { existsSync, readFileSync } = require('node:fs');

const args = process.argv.slice(2);
const survivors = args.includes('--survivors');
const paths = args.filter((arg) => !arg.startsWith('--'));
if (paths.length === 0) paths.push('reports/mutation/mutation.json');

const files = new Map();
for (const path of paths) {
  if (!existsSync(path)) {
    process.stderr.write(`No Stryker report at ${path}: run npm run test:mutation (its JSON reporter writes one) or name the report.\n`);
    process.exit(2);
  }
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    process.stderr.write(`${path} is not a Stryker JSON report: ${error.message}\n`);
    process.exit(2);
  }
  for (const [file, result] of Object.entries(report.files ?? {})) files.set(file, result);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const count = (mutants) => {
  const by = { detected: 0, undetected: 0, ignored: 0, errors: 0, total: mutants.length };
  for (const { status } of mutants) {
    if (DETECTED.has(status)) by.detected += 1;
    else if (UNDETECTED.has(status)) by.undetected += 1;
    else if (status === 'Ignored') by.ignored += 1;
    else by.errors += 1;
  }
  return by;
};
const score = ({ detected, undetected }) => (detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected));

const rows = [...files.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([file, result]) => ({ file, ...count(result.mutants) }));
const all = rows.reduce((sum, row) => ({
  detected: sum.detected + row.detected,
  undetected: sum.undetected + row.undetected,
  ignored: sum.ignored + row.ignored,
  errors: sum.errors + row.errors,
  total: sum.total + row.total,
}), { detected: 0, undetected: 0, ignored: 0, errors: 0, total: 0 });

const width = Math.max(4, ...rows.map((row) => row.file.length));
const line = (name, row) =>
  `${name.padEnd(width)}  ${String(row.total).padStart(6)}  ${String(row.detected).padStart(8)}  ${String(row.undetected).padStart(10)}  ${String(row.ignored).padStart(7)}  ${score(row).toFixed(1).padStart(6)}%`;
console.log(`${'file'.padEnd(width)}  ${'mutants'.padStart(6)}  detected  undetected  ignored   score`);
for (const row of rows) console.log(line(row.file, row));
console.log(line('all', all));

if (survivors) {
  console.log('');
  for (const [file, result] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const source = (result.source ?? '').split('\n');
    const alive = result.mutants.filter((m) => UNDETECTED.has(m.status)).sort((a, b) => a.location.start.line - b.location.start.line);
    for (const mutant of alive) {
      const at = mutant.location.start.line;
      const code = (source[at - 1] ?? '').trim().slice(0, 100);
      const replacement = String(mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
      console.log(`${file}:${at}  ${mutant.status}  ${mutant.mutatorName}  ${code}  =>  ${replacement}`);
    }
  }
}
