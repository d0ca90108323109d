import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DATA_DIR_LOCK_FILE, DataDirInUseError, lockDataDir } from './data-dir-lock';

const root = resolve(__dirname, '../../..');

/** A separate process that takes the folder and says so, then waits to be killed. */
function holdInChild(dir: string) {
  const child = spawn(
    process.execPath,
    ['-r', './test/support/register-ts.js', '-e', `require('./libs/database/src/data-dir-lock').lockDataDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const locked = new Promise<void>((resolveLocked, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolveLocked());
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before locking`)));
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return { child, locked, exited };
}

describe('lockDataDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'refund-desk-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder in this process, naming the holder, and frees the folder on release', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.pid} on .+, running since .+DATA_DIR`));
    release();
    lockDataDir(dir)();
  });

  it('is not fooled by a pid file whose pid now belongs to an unrelated live process', () => {
    // What a crashed process of an earlier version left: the pid, since reused by someone else.
    writeFileSync(join(dir, 'refund-desk.pid'), String(process.ppid));
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: process.ppid, host: 'h', since: '2026-01-01T00:00:00Z' }));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, DATA_DIR_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    release();
  });

  it('refuses while another process holds it, and is free the moment that process is killed -9', async () => {
    const holder = holdInChild(dir);
    try {
      await holder.locked;
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${holder.child.pid}\\b`));
      holder.child.kill('SIGKILL');
      await holder.exited;
      const started = Date.now();
      lockDataDir(dir)();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      holder.child.kill('SIGKILL');
    }
  });
});
