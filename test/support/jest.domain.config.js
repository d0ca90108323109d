/** The domain's unit specs alone: what mutation testing runs against each mutant (stryker.config.mjs). */
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/libs/domain'],
  testMatch: ['**/*.spec.ts'],
  // No databases or brokers to probe for pure code.
  globalSetup: undefined,
  setupFiles: [],
};
