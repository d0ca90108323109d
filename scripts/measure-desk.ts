/**
 * `npm run measure:desk`: the desk's two budgets, measured (not a timed test: a loaded CI machine
 * would make one flaky). Starts the built service on an empty PGlite store, opens 10,000 cases that
 * the policy escalates, then in Debian's Chromium:
 *  - the JavaScript the browser fetches to show the queue (gzip sizes of the files it loaded),
 *    budget 300 KB;
 *  - the time from navigation to the queue's first page of rows on screen, budget 1 s (median of 5
 *    cold loads, the browser cache emptied each time).
 * Prints the figures the README quotes. CASES=2000 for a quicker run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { baseEnv, ENTRY_POINTS, escalatingRequest, freePort, http, mintToken, randomMasterKey, ROOT, ServiceProcess } from '../test/support/processes';

const CASES = Number(process.env.CASES ?? 10_000);
const CONCURRENCY = 8;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function seed(url: string): Promise<number> {
  const agent = mintToken('agent_measure', ['agent']);
  let next = 0;
  let done = 0;
  let position = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < CASES) {
      next += 1;
      const logged = await http(url, 'POST', '/v1/cases', { token: agent, body: escalatingRequest() });
      if (logged.status !== 201) throw new Error(`POST /v1/cases answered ${logged.status}: ${logged.text}`);
      const evaluated = await http(url, 'POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent });
      if (evaluated.status !== 200) throw new Error(`evaluation answered ${evaluated.status}: ${evaluated.text}`);
      position = Math.max(position, evaluated.body.position);
      done += 1;
      if (done % 1000 === 0) console.log(`  ${done} cases (${Math.round((done / (Date.now() - started)) * 1000)}/s)`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return position;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-measure-'));
  const port = await freePort();
  const service = ServiceProcess.start(
    'refund-desk',
    ENTRY_POINTS.all,
    baseEnv({ NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, PII_MASTER_KEY: randomMasterKey(), LOG_LEVEL: 'error' }),
  );
  try {
    await service.waitReady(180_000);
    console.log(`seeding ${CASES} escalated cases…`);
    const position = await seed(service.url);
    const manager = mintToken('mgr_measure', ['manager']);
    const caughtUp = await http(service.url, 'GET', `/v1/queues/manager?limit=1&minPosition=${position}`, { token: manager, timeoutMs: 120_000 });
    if (caughtUp.headers.get('x-min-position-reached') !== 'true') throw new Error('the queue did not catch up');

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const context = await browser.newContext();
    const session = { token: manager, subject: 'mgr_measure', name: 'mgr_measure', roles: ['manager'], expiresAt: Date.now() + 3_600_000, via: 'dev' };
    // Runs in the page (the root tsconfig has no DOM types, hence the cast).
    await context.addInitScript(
      (value) => (globalThis as unknown as { sessionStorage: { setItem(key: string, value: string): void } }).sessionStorage.setItem('refund-desk.session', value),
      JSON.stringify(session),
    );
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const scripts = new Set<string>();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.add(new URL(response.url()).pathname);
    });
    const times: number[] = [];
    let rows = 0;
    for (let run = 0; run < 5; run += 1) {
      await cdp.send('Network.clearBrowserCache');
      await page.goto(`${service.url}/queue`);
      await page.locator('tr[data-case-id]').first().waitFor({ timeout: 30_000 });
      times.push(await page.evaluate(() => performance.now()));
      rows = await page.locator('tr[data-case-id]').count();
    }
    await browser.close();

    const gzipped = [...scripts].map((path) => ({ path, bytes: gzipSync(readFileSync(join(ROOT, 'dist', 'desk', path))).length }));
    const total = gzipped.reduce((sum, file) => sum + file.bytes, 0);
    console.log('\nJavaScript loaded for the queue view (gzip -6):');
    for (const file of gzipped) console.log(`  ${file.path}  ${(file.bytes / 1024).toFixed(1)} KB`);
    console.log(`  total ${(total / 1024).toFixed(1)} KB (budget 300 KB): ${total <= 300 * 1024 ? 'within' : 'OVER'}`);
    console.log(`\nQueue with ${CASES} open cases, first page (${rows} rows) on screen after navigation, 5 cold loads:`);
    console.log(`  ${times.map((ms) => `${Math.round(ms)} ms`).join(', ')}; median ${Math.round(median(times))} ms (budget 1000 ms): ${median(times) <= 1000 ? 'within' : 'OVER'}`);
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
