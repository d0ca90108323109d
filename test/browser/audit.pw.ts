import { api, escalatedCase, expect, signIn, test, tokenFor } from './support/desk';

test('an auditor opens a case history, moves to an earlier version and sees that state, and sees the chain verified', async ({ page }) => {
  const { caseId } = await escalatedCase();
  await api('POST', `/v1/cases/${caseId}/decision`, tokenFor('mgr_audit', ['manager']), { outcome: 'denied', rationale: 'Outside the window.' });

  await signIn(page, 'Alba Auditor', 'auditor', `/audit/${caseId}`);
  await expect(page.getByText('Chain verified: 4 events, none altered.')).toBeVisible();
  const state = page.getByTestId('state-as-of');
  await expect(page.getByRole('heading', { name: 'State as of version 4' })).toBeVisible();
  await expect(state).toContainText('Decided');
  await expect(state).toContainText('Denied');

  // The slider is keyboard-operable: Home goes to the first version.
  const slider = page.getByRole('slider', { name: 'Version' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByRole('heading', { name: 'State as of version 1' })).toBeVisible();
  await expect(state).toContainText('Logged');
  await expect(state).not.toContainText('Denied');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('heading', { name: 'State as of version 3' })).toBeVisible();
  await expect(state).toContainText('Escalated');
});
