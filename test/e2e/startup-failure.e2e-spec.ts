import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENTRY_POINTS, ensureBuilt, ROOT } from '../support/processes';

const VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly code: number | null;
  readonly lines: Record<string, any>[];
  readonly output: string;
  readonly stderr: string;
}

/** Runs a built entry point with only the given environment and reads every line it wrote as JSON. */
function run(entry: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = output.split('\n').filter((line) => line.trim() !== '');
      try {
        resolvePromise({ code, output, stderr, lines: text.map((line) => JSON.parse(line) as Record<string, any>) });
      } catch (error) {
        reject(new Error(`a line is not JSON: ${(error as Error).message}\n${output}`));
      }
    });
  });
}

describe('start-up failures of the built processes', () => {
  let dataDir: string;
  const entry = (app: keyof typeof ENTRY_POINTS): string => join(ROOT, ENTRY_POINTS[app]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-startup-'));
    await ensureBuilt();
  }, 600_000);
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const fatal = (result: Run): Record<string, any> => {
    expect(result.code).toBe(1);
    const last = result.lines[result.lines.length - 1];
    expect(last).toMatchObject({ level: 60, version: VERSION });
    // The reason to exit is on stderr, where a supervisor that shows only errors looks.
    expect(JSON.parse(result.stderr.trim().split('\n').pop()!)).toEqual(last);
    for (const line of result.lines) expect(line).toMatchObject({ service: last.service, version: VERSION });
    return last;
  };

  it('names a bad setting (npm start’s process)', async () => {
    const result = await run(entry('all'), { PORT: '70000', DATA_DIR: dataDir });
    expect(fatal(result)).toMatchObject({ service: 'refund-desk', reason: 'configuration', settings: ['PORT'], msg: expect.stringContaining('PORT') });
  });

  it('names a bad secret without repeating it (the API process)', async () => {
    const result = await run(entry('api'), { AUTH_JWT_SECRET: 'too-short-but-secret', DATA_DIR: dataDir });
    expect(fatal(result)).toMatchObject({ service: 'refund-desk-api', reason: 'configuration', settings: ['AUTH_JWT_SECRET'] });
    expect(result.output).not.toContain('too-short-but-secret');
  });

  it('names the dependency it could not reach and the setting that points at it (the projector)', async () => {
    const result = await run(entry('projector'), { DATABASE_URL: 'postgres://refund:pw@127.0.0.1:1/refund', DATA_DIR: dataDir });
    expect(fatal(result)).toMatchObject({
      service: 'refund-desk-projector',
      reason: 'dependency',
      dependency: 'postgresql',
      setting: 'DATABASE_URL',
      err: expect.objectContaining({ message: expect.any(String) }),
    });
    // The cause, with the address, is for the operator reading the log.
    expect(JSON.stringify(result.lines[result.lines.length - 1].err)).toContain('ECONNREFUSED');
  });

  it('names a setting the Kafka relay cannot run without', async () => {
    const result = await run(entry('kafkaRelay'), { DATA_DIR: dataDir });
    expect(fatal(result)).toMatchObject({ service: 'refund-desk-kafka-relay', reason: 'configuration', settings: ['KAFKA_BROKERS'] });
  });
});
