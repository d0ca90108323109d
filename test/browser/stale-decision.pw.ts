import { api, deskUrl, escalatedCase, expect, signIn, test, tokenFor } from './support/desk';

test('a decision on a stale view is refused with the 412 explained, and the reload shows what the other manager decided', async ({ page }) => {
  const { caseId } = await escalatedCase();
  await signIn(page, 'Marta Manager', 'manager', `/cases/${caseId}`);
  await expect(page.locator('.status')).toHaveText('Escalated');
  const decide = page.locator('form.action', { has: page.getByRole('heading', { name: 'Decide' }) });
  await decide.getByLabel('Outcome').selectOption('denied');
  await decide.getByLabel('Rationale').fill('Used beyond the return window.');

  // Another manager, in another tab, decides first.
  await api('POST', `/v1/cases/${caseId}/decision`, tokenFor('mgr_other', ['manager']), { outcome: 'refund', amount: { minor: 4990, currency: 'EUR' }, rationale: 'Goodwill.' });

  await decide.getByRole('button', { name: 'Decide' }).click();
  const stale = page.getByRole('alert').filter({ hasText: 'Someone changed this case' });
  await expect(stale).toBeVisible();
  await expect(stale).toContainText('version 3');
  await expect(stale).toContainText('version 4');
  await expect(page.locator('.status')).toHaveText('Escalated');
  await stale.getByRole('button', { name: 'Reload the case' }).click();
  await expect(page.locator('.status')).toHaveText('Decided');
  await expect(page.getByText(/Decided by mgr_other/)).toBeVisible();
  // Nothing of the stale attempt was recorded: the other manager's decision stands.
  const view = await api<{ decision: { outcome: string; decidedBy: string } }>('GET', `/v1/cases/${caseId}`, tokenFor('mgr_check', ['manager']));
  expect(view.decision).toMatchObject({ outcome: 'refund', decidedBy: 'mgr_other' });
  expect(page.url()).toBe(`${deskUrl()}/cases/${caseId}`);
});
