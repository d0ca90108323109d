import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { tokenPolicyViolation } from '@refund-desk/platform';

const ROOT = join(__dirname, '..', '..', '..');
const SECRET = 'token-cli-secret-that-is-long-enough-0123456789';

/** `npm run token` (the CLI's token command, run from the sources as a process). */
function mint(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-token-cli-'));
  try {
    const result = spawnSync(process.execPath, ['-r', join(ROOT, 'test', 'support', 'register-ts.js'), join(ROOT, 'apps', 'cli', 'src', 'main.ts'), 'token', ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('npm run token', () => {
  const jwt = new JwtService({ secret: SECRET });

  it('mints a token with exp (8 h by default, --ttl otherwise) that the token policy accepts', () => {
    const byDefault = mint(['--sub', 'agent_ann', '--roles', 'agent']);
    expect(byDefault.status).toBe(0);
    const claims = jwt.verify(byDefault.stdout.trim());
    expect(claims).toMatchObject({ sub: 'agent_ann', roles: ['agent'] });
    expect(claims.exp - claims.iat).toBe(8 * 3_600);
    expect(tokenPolicyViolation(claims, { maxLifetimeS: 86_400 }, Math.floor(Date.now() / 1000))).toBeUndefined();
    const short = jwt.verify(mint(['--sub', 'a', '--roles', 'agent', '--ttl', '30m']).stdout.trim());
    expect(short.exp - short.iat).toBe(1_800);
  }, 120_000);

  it('adds iss and aud when configured, and keeps within AUTH_MAX_TOKEN_LIFETIME_S', () => {
    const env = { AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'refund-desk', AUTH_MAX_TOKEN_LIFETIME_S: '3600' };
    const minted = mint(['--sub', 'mgr', '--roles', 'manager'], env);
    expect(minted.status).toBe(0);
    const claims = jwt.verify(minted.stdout.trim());
    expect(claims).toMatchObject({ iss: 'https://id.example.com', aud: 'refund-desk' });
    expect(claims.exp - claims.iat).toBe(3_600); // the default 8 h, cut to the longest allowed
    const tooLong = mint(['--sub', 'mgr', '--roles', 'manager', '--ttl', '2h'], env);
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toContain('AUTH_MAX_TOKEN_LIFETIME_S');
    expect(tooLong.stdout).toBe('');
    const bad = mint(['--sub', 'mgr', '--roles', 'manager', '--ttl', 'soon']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--ttl');
  }, 120_000);
});
