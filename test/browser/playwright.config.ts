import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * The desk's browser suite: Debian's Chromium (Playwright's own browser download cannot run here)
 * against the built service started as a real process on PGlite (support/global-setup.ts).
 * One worker: the machine has two cores, and the scenarios share one service.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  // In CI a missing browser is a failure, never a quietly skipped suite (.ci/run installs it).
  const message = `Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message}; the browser suite cannot run.`);
}

export default defineConfig({
  testDir: '.',
  // `npm run screenshots:desk` sets DESK_SCREENSHOTS and runs the README's picture maker instead of the tests.
  testMatch: process.env.DESK_SCREENSHOTS ? '**/*.shots.ts' : '**/*.pw.ts',
  outputDir: '../../reports/browser/results',
  globalSetup: './support/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { outputFolder: '../../reports/browser/html', open: 'never' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-US'] },
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1360, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 20_000,
    navigationTimeout: 60_000,
  },
});
