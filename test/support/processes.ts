/**
 * The built entry points as real processes, for the process suites (test/process): build once per
 * test run, start `node dist/apps/<app>/src/main.js` with an environment, wait for readiness,
 * talk HTTP, stop. Kept free of Nest imports: these suites test what operators run, not modules.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { JwtService } from '@nestjs/jwt';

export const ROOT = resolve(__dirname, '../..');
export const TEST_JWT_SECRET = 'process-tests-secret-long-enough-for-hs256-0123456789';

export const ENTRY_POINTS = {
  /** What `npm start` runs (after its prestart build). */
  all: 'dist/apps/refund-desk/src/main.js',
  api: 'dist/apps/api/src/main.js',
  projector: 'dist/apps/projector/src/main.js',
  kafkaRelay: 'dist/apps/kafka-relay/src/main.js',
  cli: 'dist/apps/cli/src/main.js',
} as const;

const execFileAsync = promisify(execFile);

interface FileLocks {
  waitForLock(fd: number): Promise<void>;
  unlock(fd: number): void;
}

/** Size and modification time of every file the build reads: changes when a source does. */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !/\.(e2e-|int-)?spec\.ts$/.test(entry.name)) {
        const { size, mtimeMs } = statSync(path);
        hash.update(`${path}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  for (const file of ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json']) {
    const { size, mtimeMs } = statSync(join(ROOT, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/**
 * `npm run build`, once: the first process suite of a run builds, the others (possibly in other
 * jest workers at the same moment) wait on a file lock and find dist/ stamped with the sources it
 * was built from. A later run with unchanged sources does not build again.
 */
export async function ensureBuilt(): Promise<void> {
  const key = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  const lockFile = join(tmpdir(), `refund-desk-build-${key}.lock`);
  const stampFile = join(ROOT, 'dist', '.built-from');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const locks = require('fs-native-extensions') as FileLocks;
  const fd = openSync(lockFile, 'a+');
  try {
    await locks.waitForLock(fd);
    const fingerprint = sourceFingerprint();
    const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
    if (built === fingerprint && Object.values(ENTRY_POINTS).every((entry) => existsSync(join(ROOT, entry)))) return;
    try {
      await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 8 * 60_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
    }
    writeFileSync(stampFile, fingerprint);
  } finally {
    locks.unlock(fd);
    closeSync(fd);
  }
}

/**
 * Ports handed to the services a test starts come from a block of this process's own, below the
 * kernel's ephemeral range. A port the kernel picked (listen(0)) and we closed again could be
 * picked once more, by a suite in another worker, before our service binds it: our /health
 * polls were then answered by that suite's service, which refused our tokens (a CI failure of
 * the token-logging suite). The kernel never picks these ports, and each jest worker (or
 * Playwright worker) has a block of its own.
 */
const PORT_BLOCK_SIZE = 100;
const PORT_BLOCKS_START = 20_000;
const portSlot = (): number => {
  if (process.env.JEST_WORKER_ID) return Number(process.env.JEST_WORKER_ID) % 50;
  if (process.env.TEST_PARALLEL_INDEX) return 50 + (Number(process.env.TEST_PARALLEL_INDEX) % 49);
  return 99;
};
/** Where this module's walk through its block begins: suites run one after another in a worker, each with a fresh copy. */
let portCursor = Math.floor(Math.random() * PORT_BLOCK_SIZE);

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolveListen) => {
    const server = createServer();
    server.once('error', () => resolveListen(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveListen(true)));
  });

/** A TCP port free on 127.0.0.1 right now, from this worker's block (see PORT_BLOCK_SIZE). */
export async function freePort(): Promise<number> {
  const base = PORT_BLOCKS_START + portSlot() * PORT_BLOCK_SIZE;
  for (let tried = 0; tried < PORT_BLOCK_SIZE; tried++) {
    const port = base + (portCursor++ % PORT_BLOCK_SIZE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + PORT_BLOCK_SIZE - 1}`);
}

export const randomMasterKey = (): string => randomBytes(32).toString('base64');

/** The environment every process test starts from: production mode, explicit secrets, quiet logs. */
export function baseEnv(overrides: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    RATE_LIMIT_CONCURRENT_PER_ADDRESS: '0',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
    SHUTDOWN_GRACE_MS: '1000',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running entry point; its output is kept (the last 2 MB) to explain a failure. */
export class ServiceProcess {
  readonly exited: Promise<Exit>;
  private output = '';
  private exit: Exit | null = null;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number | undefined,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-2 * 1024 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolveExit(this.exit);
      }),
    );
  }

  static start(name: string, entry: string, env: Record<string, string>, args: readonly string[] = []): ServiceProcess {
    const child = spawn(process.execPath, [join(ROOT, entry), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(name, child, env.PORT ? Number(env.PORT) : undefined);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Null while it runs. */
  get exitStatus(): Exit | null {
    return this.exit;
  }

  logs(): string {
    return this.output;
  }

  /** Polls GET /health until it answers 200; fails at once, with the output, if the process dies. */
  async waitReady(timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (this.exit) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before it was ready:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return Date.now() - started;
      } catch {
        // not listening yet
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  /** SIGTERM (graceful shutdown), SIGKILL after the timeout; resolves with how it ended. */
  async stop(timeoutMs = 20_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }
}

/** Runs the CLI to completion. */
export async function runCli(args: readonly string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, ENTRY_POINTS.cli), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolveCode) => child.once('exit', (exitCode) => resolveCode(exitCode)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

export function mintToken(sub: string, roles: readonly string[], secret = TEST_JWT_SECRET): string {
  return new JwtService({ secret, signOptions: { algorithm: 'HS256' } }).sign({ sub, roles }, { expiresIn: '1h' });
}

export interface HttpAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** Polls `check` until it returns true; fails with `what` when the time is up. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A refund request that the default policy escalates to a manager (a used kettle, 40 days after purchase). */
export function escalatingRequest(now = new Date()): Record<string, unknown> {
  return {
    customer: { id: `cus_${randomBytes(5).toString('hex')}`, name: 'Maria Rossi', email: 'maria@example.com', locale: 'it' },
    order: { id: `ord_${randomBytes(4).toString('hex')}`, purchasedAt: new Date(now.getTime() - 40 * 86_400_000).toISOString(), country: 'CH', paymentMethod: 'card' },
    product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances', condition: 'used' },
    amount: { minor: 4990, currency: 'EUR' },
    reason: { code: 'defective', description: 'Stopped heating after 40 days' },
    requestedResolution: 'refund',
    channel: 'email',
  };
}
