import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { deskUrl, escalatedCase, expect, readModelsAt, Role, test, withSession } from './support/desk';

/** No serious or critical axe-core violation (WCAG 2.1 A and AA rules); the page is kept as a screenshot artifact. */
async function check(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  expect(blocking.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.map((node) => node.target.join(' ')) }))).toEqual([]);
}

let caseId = '';
test.beforeAll(async () => {
  const seeded = await escalatedCase();
  caseId = seeded.caseId;
  await readModelsAt(seeded.position);
});

const VIEWS: { name: string; path: () => string; roles: Role[]; heading: RegExp }[] = [
  { name: 'queue', path: () => '/queue', roles: ['manager'], heading: /Manager queue/ },
  { name: 'case', path: () => `/cases/${caseId}`, roles: ['manager'], heading: /Case / },
  { name: 'new-request', path: () => '/new', roles: ['agent'], heading: /New refund request/ },
  { name: 'follow-ups', path: () => '/follow-ups', roles: ['agent'], heading: /Follow-ups due/ },
  { name: 'trends', path: () => '/trends', roles: ['manager'], heading: /Trends and insights/ },
  { name: 'policy', path: () => '/policy', roles: ['admin'], heading: /^Policy$/ },
  { name: 'audit', path: () => `/audit/${caseId}`, roles: ['auditor'], heading: /^Audit$/ },
];

test('the sign-in page has no serious or critical accessibility violation', async ({ page }, testInfo) => {
  await page.goto(`${deskUrl()}/sign-in`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await check(page, testInfo, 'sign-in');
});

for (const view of VIEWS) {
  test(`the ${view.name} view has no serious or critical accessibility violation`, async ({ page }, testInfo) => {
    await withSession(page, `a11y_${view.roles[0]}`, view.roles);
    await page.goto(`${deskUrl()}${view.path()}`);
    await expect(page.getByRole('heading', { level: 1, name: view.heading })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
    if (view.name === 'trends') await expect(page.getByRole('heading', { name: 'Figures' })).toBeVisible();
    if (view.name === 'audit') await expect(page.getByText(/Chain verified/)).toBeVisible();
    await check(page, testInfo, view.name);
  });
}

test('the case view in Arabic is laid out right to left without serious or critical violations', async ({ page }, testInfo) => {
  await withSession(page, 'a11y_manager', ['manager']);
  await page.addInitScript(() => localStorage.setItem('refund-desk.locale', 'ar'));
  await page.goto(`${deskUrl()}/cases/${caseId}`);
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('.status')).toBeVisible();
  await check(page, testInfo, 'case-ar');
});
