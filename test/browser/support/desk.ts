import { test as base, expect, Page } from '@playwright/test';
import { escalatingRequest, http, mintToken } from '../../support/processes';

export { expect };

export const deskUrl = (): string => {
  const url = process.env.DESK_URL;
  if (!url) throw new Error('DESK_URL is not set: the global setup did not start the service');
  return url;
};

export type Role = 'agent' | 'manager' | 'senior_manager' | 'auditor' | 'admin';

/** A token for seeding and checking through the API directly, as another client would. */
export const tokenFor = (subject: string, roles: readonly string[]): string => mintToken(subject, roles);

export async function api<T = any>(method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const answer = await http<T>(deskUrl(), method, path, { token, body, headers });
  if (answer.status >= 400) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

/** A case the default policy escalates to a manager, logged and evaluated through the API. */
export async function escalatedCase(overrides: (request: Record<string, any>) => void = () => undefined): Promise<{ caseId: string; position: number }> {
  const agent = tokenFor('agent_seed', ['agent']);
  const request = escalatingRequest();
  overrides(request);
  const logged = await api<{ caseId: string }>('POST', '/v1/cases', agent, request);
  const evaluated = await api<{ position: number; status: string }>('POST', `/v1/cases/${logged.caseId}/evaluation`, agent);
  expect(evaluated.status).toBe('escalated');
  return { caseId: logged.caseId, position: evaluated.position };
}

/** Waits until the read models have applied `position` (the API's own read-your-writes parameter). */
export async function readModelsAt(position: number, token = tokenFor('mgr_seed', ['manager'])): Promise<void> {
  const answer = await http(deskUrl(), 'GET', `/v1/queues/manager?limit=1&minPosition=${position}`, { token });
  expect(answer.headers.get('x-min-position-reached')).toBe('true');
}

/**
 * Until the service's OIDC work is merged, the public routes the sign-in page calls
 * (GET /v1/desk/config, POST /v1/dev/token) may be missing. With DESK_DEV_SHIM=1 (never in CI)
 * the browser gets them from here, a token minted with the suite's secret exactly as the
 * development route would; without it, a missing route fails the test.
 */
async function shimDevSignIn(page: Page): Promise<void> {
  if (process.env.DESK_DEV_SHIM !== '1' || process.env.CI) return;
  const probe = await http(deskUrl(), 'GET', '/v1/desk/config');
  if (probe.status !== 404) return;
  await page.route('**/v1/desk/config', (route) => route.fulfill({ json: { devSignIn: true, oidc: null } }));
  await page.route('**/v1/dev/token', async (route) => {
    const { name, role } = route.request().postDataJSON() as { name: string; role: string };
    const subject = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    await route.fulfill({ json: { token: mintToken(subject, [role]), expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
  });
}

/** Signs in through the desk's own sign-in page, as a person would. */
export async function signIn(page: Page, name: string, role: Role, path = '/'): Promise<void> {
  await shimDevSignIn(page);
  await page.goto(`${deskUrl()}${path}`);
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The subject the development token names: what "assign to me" records. */
export const subjectOf = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '_');

export const test = base;

/**
 * Starts the page already signed in with a minted token of several roles (the development sign-in
 * gives one role; views that several roles share are checked this way). The sign-in page itself
 * is exercised by signIn().
 */
export async function withSession(page: Page, subject: string, roles: readonly Role[]): Promise<void> {
  const token = mintToken(subject, roles);
  const session = { token, subject, name: subject, roles, expiresAt: Date.now() + 3_600_000, via: 'dev' };
  await page.addInitScript((value) => sessionStorage.setItem('refund-desk.session', value), JSON.stringify(session));
}

export const shortRef = (caseId: string): string => caseId.slice(0, 8).toUpperCase();
