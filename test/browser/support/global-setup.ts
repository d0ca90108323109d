import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, ENTRY_POINTS, ensureBuilt, freePort, randomMasterKey, ROOT, ServiceProcess } from '../../support/processes';

/**
 * Builds (once, as the process suites do) and starts what `npm start` runs, on a free port and an
 * empty PGlite store, outside production so the development sign-in exists. Workers find the
 * address in DESK_URL. The returned function is the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  await ensureBuilt();
  // A dist/ stamped by a build from before the desk existed has no desk: build just that.
  if (!existsSync(join(ROOT, 'dist', 'desk', 'index.html'))) execFileSync('npm', ['run', 'build:desk', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-browser-'));
  const service = ServiceProcess.start(
    'refund-desk',
    ENTRY_POINTS.all,
    baseEnv({ NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, PII_MASTER_KEY: randomMasterKey(), LOG_LEVEL: 'warn' }),
  );
  await service.waitReady(180_000);
  process.env.DESK_URL = service.url;
  return async () => {
    const exit = await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (exit.code !== 0 && exit.signal !== 'SIGTERM') console.warn(`the service ended with ${JSON.stringify(exit)}:\n${service.logs()}`);
  };
}
