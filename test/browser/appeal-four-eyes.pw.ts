import type { Browser, Page } from '@playwright/test';
import { escalatingRequest } from '../support/processes';
import { api, escalatedCase, expect, signIn, subjectOf, test, tokenFor } from './support/desk';

// The development sign-in's token subject: `dev_` and the name in lower case, words joined by `_` (docs/contract.md, POST /dev/token).
const actor = (name: string): string => `dev_${subjectOf(name)}`;

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
  await expect(appeal).toContainText(`Appealed by ${actor('Ann Agent')}`);
  await expect(appeal).toContainText(`first decided by ${actor('Marta Manager')}`);
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
  await expect(decided.locator('.verdict')).toContainText(`by ${actor('Mario Manager')} (Manager)`);
  await expect(decided).toContainText(`It replaced: Denied, decided by ${actor('Marta Manager')}`);
  await expect(decided.locator('.due')).toHaveCount(0);
  const decision = second.getByRole('region', { name: 'Decision', exact: true });
  await expect(decision.locator('strong').first()).toHaveText('Refund');
  await expect(decision.locator('.refund-due')).toHaveText(/^Refund due by .+, under the policy$/);
  await expect(second.getByRole('button', { name: 'Decide the appeal' })).toHaveCount(0);

  const view = await caseNow(caseId);
  expect(view.decision).toMatchObject({ outcome: 'refund', amount: { minor: 4990, currency: 'EUR' }, decidedBy: actor('Mario Manager'), refundDue: { under: 'policy' } });
  expect(view.appeal).toMatchObject({ appealedBy: actor('Ann Agent'), firstDecidedBy: actor('Marta Manager'), verdict: { verdict: 'overturned', decidedBy: actor('Mario Manager') } });
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
  // A rejection without its reason is the API's 400, shown on the form as every refusal is; nothing changes.
  const reject = actionForm(approver, 'Reject the decision');
  await reject.getByRole('button', { name: 'Reject the decision' }).click();
  await expect(reject.getByRole('alert')).toContainText('note');
  await expect(approver.locator('.approval-pending')).toBeVisible();
  const approve = actionForm(approver, 'Approve the decision');
  await approve.getByLabel('Note (optional)').fill('Checked the batch report.');
  await approve.getByRole('button', { name: 'Approve the decision' }).click();
  await expect(approver.locator('.approval-approved')).toContainText(`Approved by ${actor('Sven Senior')} on`);
  await expect(approver.locator('.approval-approved')).toContainText('Checked the batch report.');
  await expect(approver.locator('.approval-pending')).toHaveCount(0);
  await expect(approver.getByRole('button', { name: 'Approve the decision' })).toHaveCount(0);
  await expect(approver.locator('.refund-due')).toHaveText(/^Refund due by .+, under the policy$/);

  // Approved: the agent may now record the refund.
  const agent = await personAt(browser, 'Ann Agent', 'agent', caseId);
  await expect(agent.getByRole('button', { name: 'Record refund execution' })).toBeVisible();
  const view = await caseNow(caseId);
  expect(view.approval).toMatchObject({ status: 'approved', approvedBy: actor('Sven Senior') });
  expect(view.decision.decidedBy).toBe(actor('Sara Senior'));
});

test('a refund owed under a statutory right says which act and article set its deadline, and each missed deadline is flagged', async ({ page }) => {
  // Bought online in Italy five days ago: within the 14-day withdrawal, whose refund deadline the law sets.
  const agent = tokenFor('agent_seed', ['agent']);
  const request = escalatingRequest();
  request.order = { ...(request.order as object), country: 'IT', saleChannel: 'online', purchasedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() };
  request.reason = { code: 'changed_mind', description: 'Not what the customer expected' };
  const { caseId } = await api<{ caseId: string }>('POST', '/v1/cases', agent, request);
  await api('POST', `/v1/cases/${caseId}/evaluation`, agent);
  const decided = await api<{ decision: { refundDue: { by: string; under: string; source: { act: string; article: string } | null } } }>(
    'POST',
    `/v1/cases/${caseId}/decision`,
    tokenFor('mgr_seed', ['manager']),
    { outcome: 'refund', rationale: 'Withdrawal within 14 days.' },
  );
  expect(decided.decision.refundDue).toMatchObject({ under: 'law', source: expect.objectContaining({ act: expect.any(String) }) });
  const { source } = decided.decision.refundDue;

  // The scheduler records a missed deadline only when its time has passed on the service's clock, which
  // a browser test cannot move: the case the API answers is given two, as the scheduler would record them.
  const missed = [
    { deadline: 'decision_sla', dueAt: '2026-11-02T09:00:00.000Z', missedAt: '2026-11-02T09:01:00.000Z' },
    { deadline: 'refund_settlement', dueAt: '2026-11-20T00:00:00.000Z', missedAt: '2026-11-20T00:01:00.000Z' },
  ];
  await page.route(`**/v1/cases/${caseId}`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...(await response.json()), deadlinesMissed: missed } });
  });
  await signIn(page, 'Marta Manager', 'manager', `/cases/${caseId}`);
  await expect(page.locator('.refund-due')).toHaveText(new RegExp(`^Refund due by .+, under law: ${escape(source!.act)}, ${escape(source!.article)}$`));
  const flags = page.getByRole('list', { name: 'Missed deadlines' }).getByRole('listitem');
  await expect(flags).toHaveCount(2);
  await expect(flags.nth(0)).toContainText('Missed: decision deadline');
  await expect(flags.nth(0)).toContainText('due Nov 2, 2026, 9:00 AM');
  await expect(flags.nth(1)).toContainText('Missed: refund settlement');
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
