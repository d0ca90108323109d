import { api, escalatedCase, expect, readModelsAt, signIn, test, tokenFor } from './support/desk';

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

test('the queue says what each case waits for and filters by it: an appealed denial is back as an appeal', async ({ page }) => {
  const appealed = await escalatedCase();
  const fresh = await escalatedCase();
  await api('POST', `/v1/cases/${appealed.caseId}/decision`, tokenFor('mgr_marco', ['manager']), { outcome: 'denied', rationale: 'Used, and outside the window' });
  const appeal = await api<{ position: number }>('POST', `/v1/cases/${appealed.caseId}/appeal`, tokenFor('agent_ann', ['agent']), { reason: 'Faulty from the start' });
  await readModelsAt(Math.max(appeal.position, fresh.position));

  await signIn(page, 'Mario Manager', 'manager', '/queue');
  await expect(page.locator(`tr[data-case-id="${appealed.caseId}"] td.waiting-appeal`)).toHaveText('Appeal');
  await page.getByLabel('Waiting for').selectOption('appeal');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/waitingFor=appeal/);
  await expect(page.locator(`tr[data-case-id="${appealed.caseId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-case-id="${fresh.caseId}"]`)).toHaveCount(0);
});
