import type { Page } from '@playwright/test';
import { ar } from '../../apps/desk/src/i18n/messages/ar';
import { en, Messages } from '../../apps/desk/src/i18n/messages/en';
import { deskUrl, expect, shortRef, signIn, test } from './support/desk';

const LANGUAGES: { code: 'en' | 'ar'; m: Messages; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', m: en, dir: 'ltr' },
  { code: 'ar', m: ar, dir: 'rtl' },
];

async function chooseLanguage(page: Page, code: string, dir: string): Promise<void> {
  if (code === 'en') return;
  await page.getByLabel('Language').selectOption(code);
  await expect(page.locator('html')).toHaveAttribute('lang', code);
  await expect(page.locator('html')).toHaveAttribute('dir', dir);
}

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

for (const { code, m, dir } of LANGUAGES) {
  test(`an agent logs a request, a manager decides a partial refund above the agent's limit and tells the customer in Italian (${code}, ${dir})`, async ({ browser }) => {
    // The agent, in a browser of their own.
    const agent = await (await browser.newContext()).newPage();
    await signIn(agent, 'Ann Agent', 'agent', '/new');
    await chooseLanguage(agent, code, dir);
    await expect(agent.getByRole('heading', { level: 1, name: m['new.title'] })).toBeVisible();
    const orderId = `ord_${Date.now().toString(36)}`;
    await field(agent, m['new.customer.id']).fill(`cus_${Date.now().toString(36)}`);
    await field(agent, m['new.customer.name']).fill('Maria Rossi');
    await field(agent, m['new.customer.email']).fill('not-an-email');
    await agent.getByLabel(m['new.customer.locale']).selectOption('it');
    await field(agent, m['new.order.id']).fill(orderId);
    await field(agent, m['new.order.purchasedAt']).fill(new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10));
    // Switzerland: a defect 40 days on is then a policy exception for a manager (in Italy it would be
    // a legal-guarantee claim the agent settles); the customer is still answered in Italian.
    await field(agent, m['new.order.country']).fill('CH');
    await field(agent, m['new.product.sku']).fill('KTL-200');
    await field(agent, m['new.product.name']).fill('Electric kettle');
    await field(agent, m['new.product.category']).fill('small-appliances');
    await field(agent, m['new.product.condition']).fill('used');
    await field(agent, m['new.amount.value']).fill('189.00');
    await field(agent, m['new.reason.code']).fill('defective');
    await field(agent, m['new.reason.description']).fill('Stopped heating after 40 days');
    await agent.getByRole('button', { name: m['new.submit'] }).click();

    // The API's field error lands on the field it names, and nothing is logged.
    const email = field(agent, m['new.customer.email']);
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(agent.getByText(m['new.invalid'])).toBeVisible();
    await expect(agent.locator('.field.invalid')).toHaveCount(1);
    await email.fill('maria@example.com');
    await agent.getByRole('button', { name: m['new.submit'] }).click();
    await expect(agent).toHaveURL(/\/cases\/[^/]+$/);
    const caseId = agent.url().split('/').at(-1)!;
    await agent.getByRole('button', { name: m['action.evaluate'] }).click();
    await expect(agent.locator('.status')).toHaveText(m['status.escalated']);

    // The manager finds it in the queue.
    const manager = await (await browser.newContext()).newPage();
    await signIn(manager, 'Marco Manager', 'manager', '/queue');
    await chooseLanguage(manager, code, dir);
    const row = manager.locator(`tr[data-case-id="${caseId}"]`);
    await expect(async () => {
      await manager.reload();
      await expect(row).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 30_000 });
    await expect(row.locator('time')).toBeVisible();
    await row.getByRole('button', { name: new RegExp(m['queue.assignToMe']) }).click();
    await expect(row).toContainText(m['queue.assigned']);
    await row.getByRole('link', { name: shortRef(caseId) }).click();
    await expect(manager).toHaveURL(new RegExp(`/cases/${caseId}$`));

    // Decides a partial refund of 120.00 EUR, above the agent's limit (50.00 EUR), within the manager's.
    const decide = manager.locator('form.action', { has: manager.getByRole('heading', { name: m['action.decide'] }) });
    await expect(decide.locator('.authority')).toBeVisible();
    await decide.getByLabel(m['action.decide.outcome']).selectOption('partial_refund');
    await decide.getByLabel(m['action.decide.amount'].replace('{currency}', 'EUR')).fill('120');
    await decide.getByLabel(m['action.decide.rationale']).fill('Defect within the statutory guarantee; partial refund for use.');
    await decide.getByRole('button', { name: m['action.decide'] }).click();
    await expect(manager.locator('.status')).toHaveText(m['status.decided']);

    // The customer's message, previewed in Italian before it is sent, is the one the API sends.
    const preview = manager.locator('figure.preview[lang="it"]');
    await expect(preview).toContainText('Maria Rossi');
    await expect(preview).toContainText('120,00');
    const previewBody = await preview.locator('pre').innerText();
    await manager.getByRole('button', { name: m['action.notify'] }).click();
    const sent = manager.locator('figure.message:not(.preview)[lang="it"]');
    await expect(sent).toBeVisible();
    expect(await sent.locator('pre').innerText()).toBe(previewBody);

    // Decided: it has left the queue.
    await manager.goto(`${deskUrl()}/queue`);
    await expect(manager.getByRole('heading', { level: 1, name: m['queue.title'] })).toBeVisible();
    await expect(async () => {
      await manager.reload();
      await expect(manager.locator('.muted', { hasText: /\d/ }).first()).toBeVisible({ timeout: 3_000 });
      await expect(row).toHaveCount(0, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    if (dir === 'rtl') await expect(manager.locator('html')).toHaveAttribute('dir', 'rtl');
  });
}
