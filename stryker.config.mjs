// Mutation testing of the pure domain (npm run test:mutation). Scoped to libs/domain and its unit
// specs: the rest of the code needs databases and brokers, and mutants there would run for hours.
// The property test runs 200 runs with a fixed seed here (500 random ones in npm test): each of
// the ~3,000 mutants runs it, and the score must not depend on luck.
process.env.FC_SEED ??= '20261130';
process.env.FC_NUM_RUNS ??= '200'; // at 100 its depth guards (share of histories that reach a refund, …) fell short
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'test/support/jest.domain.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: ['libs/domain/src/**/*.ts', '!libs/domain/src/**/*.spec.ts', '!libs/domain/src/testing/**', '!libs/domain/src/index.ts'],
  // The machine is shared: two workers at most.
  concurrency: 2,
  // A mutant "times out" after the baseline's time × 3 + 20 s. Stryker's defaults (× 1.5 + 5 s) made
  // one mutant in five a timeout on a loaded 2-core machine, each counted as detected: a score
  // inflated by the load. The domain has few loops a mutant could make endless, so waiting is cheap.
  timeoutFactor: 3,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'data', 'bench/results', 'reports', 'test/support/kafka/bin'],
};
