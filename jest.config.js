/** One run for unit specs (next to the code) and the integration/e2e suites under test/. */
const swc = ['@swc/jest', require('./test/support/swc-options')];

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  // The desk's browser suite is Playwright's (npm run test:browser), not jest's.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/', '<rootDir>/apps/desk/'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    // Test kits are entry points of their own, so specs never reach into another library's folders.
    '^@refund-desk/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing',
    '^@refund-desk/([a-z-]+)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
