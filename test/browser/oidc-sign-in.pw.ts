import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOidcProvider } from '../support/oidc-provider';
import { baseEnv, ENTRY_POINTS, freePort, http, randomMasterKey, ServiceProcess } from '../support/processes';
import { expect, test } from './support/desk';

/** An RS256 token that names another issuer: signed correctly, by a key this service was never told about. */
function foreignToken(audience: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'foreign' })}.${encode({ iss: 'https://other-idp.example.com', aud: audience, sub: 'intruder', roles: ['manager'], iat: now, exp: now + 600 })}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

test.describe('OpenID Connect sign-in (production mode)', () => {

  test('a manager signs in at the identity provider with code + PKCE and works the queue; a token from another issuer is refused', async ({ page }) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const provider = await startOidcProvider({ redirectUris: [`${url}/auth/callback`], users: { olga: { name: 'Olga Manager', roles: ['manager'] } } });
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-oidc-'));
    const service = ServiceProcess.start(
      'refund-desk',
      ENTRY_POINTS.all,
      baseEnv({
        NODE_ENV: 'production',
        PORT: String(port),
        DATA_DIR: dataDir,
        PII_MASTER_KEY: randomMasterKey(),
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_AUDIENCE: provider.audience,
      }),
    );
    try {
      await service.waitReady(180_000);
      // Production: no development sign-in.
      expect((await http(url, 'POST', '/v1/dev/token', { body: { name: 'x', role: 'admin' } })).status).toBe(404);

      await page.goto(`${url}/queue`);
      await expect(page).toHaveURL(/\/sign-in$/);
      await expect(page.getByLabel('Role')).toHaveCount(0);
      await page.getByRole('button', { name: 'Sign in with your company account' }).click();
      await page.waitForURL((address) => address.href.startsWith(provider.issuer));
      await page.locator('input[name="login"]').fill('olga');
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
      await page.getByRole('button', { name: 'Continue' }).click();

      await expect(page).toHaveURL(`${url}/queue`);
      await expect(page.getByRole('heading', { level: 1, name: 'Manager queue' })).toBeVisible();
      await expect(page.getByText(/Signed in as .*\(Manager\)/)).toBeVisible();
      await expect(page.getByText('No cases match.')).toBeVisible();

      expect((await http(url, 'GET', '/v1/queues/manager', { token: foreignToken(provider.audience) })).status).toBe(401);
    } finally {
      await service.stop();
      await provider.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
