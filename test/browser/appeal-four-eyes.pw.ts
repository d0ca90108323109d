import type { Browser, Page } from '@playwright/test';
import { api, escalatedCase, expect, signIn, subjectOf, test, tokenFor } from './support/desk';

/** Each person in a browser of their own, as they would be. */
async function personAt(browser: Browser, name: string, role: 'agent' | 'manager' | 'senior_manager', caseId: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, name, role, `/cases/${caseId}`);
  await expect(page.locator('.status')).toBeVisible();
  return page;
}

const actionForm = (page: Page, title: string) => page.locator('form.action', { has: page.getByRole('heading', { name: title, exact: true }) });

interface CaseView {
  decision: { outcome: string; amount: { minor: number; currency: string } | null; decidedBy: string; refundDue?: { under: string } };
  approval: { status: string; approvedBy?: string };
  appeal: { appealedBy: string; firstDecidedBy: string; verdict: { verdict: string; decidedBy: string } | null } | null;
}
const caseNow = (caseId: string) => api<CaseView>('GET', `/v1/cases/${caseId}`, tokenFor('mgr_check', ['manager']));

test('an agent appeals a denial, the first decider may not decide it, and a second manager overturns it with a refund', async ({ browser }) => {
  // A used kettle 40 days on in Switzerland: outside the policy and not covered by the legal rules.
  const { caseId } = await escalatedCase();

  const first = await personAt(browser, 'Marta Manager', 'manager', caseId);
  const decide = actionForm(first, 'Decide');
  await decide.getByLabel('Outcome').selectOption('denied');
  await decide.getByLabel('Rationale').fill('Used, and outside the return window.');
  await decide.getByRole('button', { name: 'Decide' }).click();
  await expect(first.locator('.status')).toHaveText('Decided');
  // Nothing to appeal for a manager: appealing is the agent's action for the customer.
  await expect(first.getByRole('button', { name: 'Appeal the decision' })).toHaveCount(0);

  const agent = await personAt(browser, 'Ann Agent', 'agent', caseId);
  const appealForm = actionForm(agent, 'Appeal the decision');
  await appealForm.getByLabel('The customer’s grounds').fill('The customer sent a video of the fault on first use.');
  await appealForm.getByLabel('Evidence link (optional)').fill('https://files.example.com/v/81.mp4');
  await appealForm.getByRole('button', { name: 'Appeal the decision' }).click();
  const appeal = agent.getByRole('region', { name: 'Appeal', exact: true });
  await expect(appeal).toContainText('The customer sent a video of the fault on first use.');
  await expect(appeal).toContainText(`Appealed by ${subjectOf('Ann Agent')}`);
  await expect(appeal).toContainText(`first decided by ${subjectOf('Marta Manager')}`);
  await expect(appeal.getByRole('link', { name: 'https://files.example.com/v/81.mp4' })).toBeVisible();
  await expect(appeal.locator('.due')).toHaveText(/left$/);
  // Once appealed, no second appeal, and no refund or closing under the appealed decision.
  await expect(agent.getByRole('button', { name: 'Appeal the decision' })).toHaveCount(0);
  await expect(agent.getByRole('button', { name: 'Close the case' })).toHaveCount(0);

  // The first decider is told why the verdict is not theirs, with no button the API would refuse (403).
  await first.reload();
  await expect(first.getByRole('note').filter({ hasText: 'You took the decision under appeal' })).toBeVisible();
  await expect(first.getByRole('button', { name: 'Decide the appeal' })).toHaveCount(0);

  const second = await personAt(browser, 'Mario Manager', 'manager', caseId);
  const verdict = actionForm(second, 'Decide the appeal');
  await verdict.getByLabel('Verdict').selectOption('overturned');
  await verdict.getByLabel('Rationale').fill('The video shows the fault on first use.');
  await verdict.getByLabel('Outcome').selectOption('refund');
  await expect(verdict.getByLabel('Amount (EUR)')).toHaveValue('49.9');
  await verdict.getByRole('button', { name: 'Decide the appeal' }).click();

  const decided = second.getByRole('region', { name: 'Appeal', exact: true });
  await expect(decided.locator('.verdict')).toContainText('Overturned');
  await expect(decided.locator('.verdict')).toContainText(`by ${subjectOf('Mario Manager')} (Manager)`);
  await expect(decided).toContainText(`It replaced: Denied, decided by ${subjectOf('Marta Manager')}`);
  await expect(decided.locator('.due')).toHaveCount(0);
  const decision = second.getByRole('region', { name: 'Decision', exact: true });
  await expect(decision.locator('strong').first()).toHaveText('Refund');
  await expect(decision.locator('.refund-due')).toHaveText(/^Refund due by .+, under the policy$/);
  await expect(second.getByRole('button', { name: 'Decide the appeal' })).toHaveCount(0);

  const view = await caseNow(caseId);
  expect(view.decision).toMatchObject({ outcome: 'refund', amount: { minor: 4990, currency: 'EUR' }, decidedBy: subjectOf('Mario Manager'), refundDue: { under: 'policy' } });
  expect(view.appeal).toMatchObject({ appealedBy: subjectOf('Ann Agent'), firstDecidedBy: subjectOf('Marta Manager'), verdict: { verdict: 'overturned', decidedBy: subjectOf('Mario Manager') } });
});

test('a 1,500 EUR refund decided by a senior manager waits for a second senior manager, whom only the desk offers the approval', async ({ browser }) => {
  const { caseId } = await escalatedCase((request) => {
    request.amount = { minor: 150_000, currency: 'EUR' };
  });

  const decider = await personAt(browser, 'Sara Senior', 'senior_manager', caseId);
  const decide = actionForm(decider, 'Decide');
  await decide.getByLabel('Outcome').selectOption('refund');
  await expect(decide.getByLabel('Amount (EUR)')).toHaveValue('1500');
  await decide.getByLabel('Rationale').fill('Faulty batch, loyal customer.');
  await decide.getByRole('button', { name: 'Decide' }).click();
  await expect(decider.locator('.status')).toHaveText('Decided');

  const pending = decider.locator('.approval-pending');
  await expect(pending).toHaveText('Waiting for a second approver (four eyes) above the threshold of €1,000.00');
  // The decider sees why they cannot approve, and nothing the four eyes hold back.
  await expect(decider.getByRole('note').filter({ hasText: 'You took this decision' })).toBeVisible();
  for (const action of ['Approve the decision', 'Reject the decision', 'Record refund execution', 'Tell the customer', 'Close the case'])
    await expect(decider.getByRole('button', { name: action })).toHaveCount(0);

  // A manager ranks below the senior manager who decided: told so, not offered the button.
  const manager = await personAt(browser, 'Marta Manager', 'manager', caseId);
  await expect(manager.getByRole('note').filter({ hasText: 'Approving this decision needs Senior manager authority.' })).toBeVisible();
  await expect(manager.getByRole('button', { name: 'Approve the decision' })).toHaveCount(0);

  const approver = await personAt(browser, 'Sven Senior', 'senior_manager', caseId);
  await expect(approver.locator('.approval-pending')).toBeVisible();
  const approve = actionForm(approver, 'Approve the decision');
  await approve.getByLabel('Note (optional)').fill('Checked the batch report.');
  await approve.getByRole('button', { name: 'Approve the decision' }).click();
  await expect(approver.locator('.approval-approved')).toContainText(`Approved by ${subjectOf('Sven Senior')} on`);
  await expect(approver.locator('.approval-approved')).toContainText('Checked the batch report.');
  await expect(approver.locator('.approval-pending')).toHaveCount(0);
  await expect(approver.getByRole('button', { name: 'Approve the decision' })).toHaveCount(0);
  await expect(approver.locator('.refund-due')).toHaveText(/^Refund due by .+, under the policy$/);

  // Approved: the agent may now record the refund.
  const agent = await personAt(browser, 'Ann Agent', 'agent', caseId);
  await expect(agent.getByRole('button', { name: 'Record refund execution' })).toBeVisible();
  const view = await caseNow(caseId);
  expect(view.approval).toMatchObject({ status: 'approved', approvedBy: subjectOf('Sven Senior') });
  expect(view.decision.decidedBy).toBe(subjectOf('Sara Senior'));
});
