import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { freePort } from '../support/processes';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'token-logging-secret-that-is-long-enough-0123456789';

/**
 * The service as `npm start` runs it (apps/refund-desk/src/main.ts, from the sources), logging at
 * info: whatever a client does with its token, the token never reaches the logs (finding 7).
 */
describe('tokens never reach the logs (the service as a process)', () => {
  let child: ChildProcess;
  let output = '';
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-token-log-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = fork(join(ROOT, 'apps', 'refund-desk', 'src', 'main.ts'), [], {
      execArgv: ['-r', join(ROOT, 'test', 'support', 'register-ts.js')],
      env: { PATH: process.env.PATH, NODE_ENV: 'test', TZ: 'UTC', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs each request with its URL, but not a token in the query string or the Authorization header', async () => {
    const jwt = new JwtService({ secret: SECRET });
    const agent = jwt.sign({ sub: 'agent_ann', roles: ['agent'] }, { expiresIn: 600 });
    const other = jwt.sign({ sub: 'agent_bob', roles: ['agent'] }, { expiresIn: 600 });
    const forged = new JwtService({ secret: 'not-the-secret-but-long-enough-0123456789' }).sign({ sub: 'x', roles: ['admin'] }, { expiresIn: 60 });
    const opaque = 'opaque-credential-4f9c2a7e51';
    const answers = [
      await fetch(`${url}/v1/policy?access_token=${agent}`),
      await fetch(`${url}/v1/policy?token=${opaque}&limit=1`),
      await fetch(`${url}/v1/queues/follow-up?cursor=${other}`, { headers: { authorization: `Bearer ${agent}` } }), // 400: not a cursor
      await fetch(`${url}/v1/queues/manager?jwt=${other}`, { headers: { authorization: `Bearer ${agent}` } }), // 403: the denial is logged
      await fetch(`${url}/v1/policy`, { headers: { authorization: `Bearer ${forged}` } }),
      await fetch(`${url}/v1/policy`, { headers: { authorization: `Bearer ${agent}` } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 400, 403, 401, 200]);
    // pino writes asynchronously: wait until every request's line is out.
    const requestLines = (): string[] => output.split('\n').filter((line) => line.includes('"url":"/v1/') && line.includes('request completed'));
    const deadline = Date.now() + 10_000;
    while (requestLines().length < answers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(requestLines()).toHaveLength(answers.length);
    expect(requestLines().filter((line) => line.includes('"url":"/v1/policy"'))).toHaveLength(2);
    expect(output).toContain('/v1/policy?access_token=[redacted]');
    expect(output).toContain('/v1/policy?token=[redacted]&limit=1');
    expect(output).toContain('/v1/queues/follow-up?cursor=[redacted]');
    expect(output).toContain('access denied');
    for (const token of [agent, other, forged]) {
      const [, payload, signature] = token.split('.');
      expect(output).not.toContain(signature);
      expect(output).not.toContain(payload);
    }
    expect(output).not.toContain(opaque);
  });
});
