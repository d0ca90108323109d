import { api, expect, signIn, test, tokenFor } from './support/desk';

test('an admin revises the policy in the editor: the API refusal names the field, then the revision shows what changed', async ({ page }) => {
  const before = await api<{ version: number; rules: { followUpDelayDays: number; slaHours: Record<string, number> } }>('GET', '/v1/policy', tokenFor('adm_check', ['admin']));
  await signIn(page, 'Ada Admin', 'admin', '/policy');
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
  const rules = page.getByRole('textbox', { name: 'Rules (JSON)' });
  const edited = (change: (value: typeof before.rules) => void) => {
    const copy = structuredClone(before.rules);
    change(copy);
    return JSON.stringify(copy, null, 2);
  };

  await rules.fill(edited((value) => (value.slaHours.low = -5)));
  await page.getByLabel('Change note').fill('Negative SLA, refused');
  await page.getByRole('button', { name: 'Save the revision' }).click();
  const refusal = page.getByRole('alert');
  await expect(refusal).toContainText('rules.slaHours.low');

  await rules.fill(edited((value) => (value.followUpDelayDays = before.rules.followUpDelayDays + 1)));
  await page.getByLabel('Change note').fill('Call customers a day later');
  await page.getByRole('button', { name: 'Save the revision' }).click();
  await expect(page.getByText(`Saved as version ${before.version + 1}.`)).toBeVisible();
  await expect(page.getByText(`In force: version ${before.version + 1}`)).toBeVisible();

  await page.getByText(`Compare version ${before.version} with ${before.version + 1}`).click();
  const diff = page.locator('table.diff');
  await expect(diff.getByRole('row', { name: /followUpDelayDays/ })).toContainText(String(before.rules.followUpDelayDays + 1));
  await expect(diff.getByRole('row')).toHaveCount(2);

  // Put it back, so the other scenarios run under the default rules.
  await rules.fill(JSON.stringify(before.rules, null, 2));
  await page.getByLabel('Change note').fill('Back to the default delay');
  await page.getByRole('button', { name: 'Save the revision' }).click();
  await expect(page.getByText(`Saved as version ${before.version + 2}.`)).toBeVisible();
});
