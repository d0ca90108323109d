import { escalatedCase, expect, readModelsAt, signIn, test } from './support/desk';

test('the queue filters by the authority a decision needs', async ({ page }) => {
  const senior = await escalatedCase((request) => (request.amount = { minor: 90_000, currency: 'EUR' }));
  const manager = await escalatedCase();
  await readModelsAt(Math.max(senior.position, manager.position));

  await signIn(page, 'Marta Manager', 'manager', '/queue');
  await page.getByLabel('Authority needed').selectOption('senior_manager');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/requiredAuthority=senior_manager/);
  await expect(page.locator(`tr[data-case-id="${senior.caseId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-case-id="${manager.caseId}"]`)).toHaveCount(0);
});
