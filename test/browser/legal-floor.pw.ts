import { escalatingRequest } from '../support/processes';
import { api, expect, signIn, test, tokenFor } from './support/desk';

test('the case view shows the statutory rights the evaluation found, with their source, and the legal floor refusing a denial', async ({ page }) => {
  // The kettle: bought in Italy, stopped heating 89 days later.
  const agent = tokenFor('agent_seed', ['agent']);
  const request = escalatingRequest();
  request.order = { ...(request.order as object), country: 'IT', purchasedAt: new Date(Date.now() - 89 * 86_400_000).toISOString() };
  const { caseId } = await api<{ caseId: string }>('POST', '/v1/cases', agent, request);
  const evaluated = await api<{ status: string }>('POST', `/v1/cases/${caseId}/evaluation`, agent);
  expect(evaluated.status).toBe('evaluated');

  await signIn(page, 'Marta Manager', 'manager', `/cases/${caseId}`);
  await expect(page.getByRole('heading', { name: /Statutory rights \(legal rules version \d+\)/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Legal guarantee \(defects\).*applies/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Withdrawal.*expired/ })).toBeVisible();
  await expect(page.locator('.entitlement')).toContainText('Directive (EU) 2019/771, art. 10');

  const decide = page.locator('form.action', { has: page.getByRole('heading', { name: 'Decide' }) });
  await decide.getByLabel('Outcome').selectOption('denied');
  await decide.getByLabel('Rationale').fill('Outside the 30-day window.');
  await decide.getByRole('button', { name: 'Decide' }).click();
  await expect(page.getByRole('alert')).toContainText('Directive (EU) 2019/771, art. 10');
  await expect(page.locator('.status')).toHaveText('Evaluated');
});
