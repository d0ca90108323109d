import { join, resolve } from 'node:path';
import { escalatingRequest } from '../support/processes';
import { api, deskUrl, expect, readModelsAt, test, tokenFor, withSession } from './support/desk';

/**
 * Not a test: `npm run screenshots:desk` runs this (DESK_SCREENSHOTS=docs/images) to redraw the
 * two pictures the README shows, from a queue and trends seeded with varied cases.
 */
test('README screenshots of the queue and the trends view', async ({ page }) => {
  const agent = tokenFor('agent_ann', ['agent']);
  const manager = tokenFor('mgr_marco', ['manager']);
  const products = [
    ['KTL-200', 'Electric kettle', 'small-appliances', 4990],
    ['HDP-310', 'Headphones', 'audio', 12900],
    ['CHR-014', 'Office chair', 'furniture', 18900],
    ['TBL-770', 'Tablet 10"', 'computing', 32900],
    ['BLN-050', 'Blender', 'small-appliances', 7990],
  ] as const;
  const reasons = ['defective', 'damaged', 'wrong_item', 'safety_hazard', 'changed_mind'];
  let position = 0;
  for (let index = 0; index < 18; index += 1) {
    const [sku, name, category, minor] = products[index % products.length];
    const request = escalatingRequest();
    Object.assign(request.product as object, { sku, name, category });
    Object.assign(request.amount as object, { minor });
    Object.assign(request.reason as object, { code: reasons[index % reasons.length] });
    const { caseId } = await api<{ caseId: string }>('POST', '/v1/cases', agent, request);
    let { status } = await api<{ status: string }>('POST', `/v1/cases/${caseId}/evaluation`, agent);
    // Within policy, but the agent wants a manager to see it: escalated by hand.
    if (status === 'evaluated') ({ status } = await api<{ status: string }>('POST', `/v1/cases/${caseId}/escalation`, agent, { reason: 'Customer is a journalist', priority: 'high' }));
    if (status === 'escalated' && index % 3 === 0) await api('POST', `/v1/cases/${caseId}/assignment`, manager, { assignee: 'mgr_marco' });
    if (index < 7) {
      const outcome = index % 3 === 1 ? 'denied' : 'refund';
      const decided = await api<{ position: number }>('POST', `/v1/cases/${caseId}/decision`, manager, {
        outcome,
        rationale: 'Seeded for the README.',
        ...(outcome === 'refund' ? { amount: { minor, currency: 'EUR' } } : {}),
      });
      position = decided.position;
      if (outcome === 'refund') {
        const amount = { minor, currency: 'EUR' };
        await api('POST', `/v1/cases/${caseId}/refund-execution`, agent, { status: 'issued', method: 'card', amount, reference: `rf_${index}` });
        position = (await api<{ position: number }>('POST', `/v1/cases/${caseId}/refund-execution`, agent, { status: 'settled', method: 'card', amount, reference: `rf_${index}` })).position;
      }
    }
  }
  await readModelsAt(position);
  const out = resolve(process.env.DESK_SCREENSHOTS ?? 'docs/images');
  await withSession(page, 'mgr_marco', ['manager']);
  await page.goto(`${deskUrl()}/queue`);
  await expect(page.locator('tr[data-case-id]').first()).toBeVisible();
  await page.screenshot({ path: join(out, 'desk-queue.png') });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await page.goto(`${deskUrl()}/trends?from=${day(-13)}&to=${day(1)}&interval=day&groupBy=reason`);
  await expect(page.locator('canvas')).toHaveCount(4);
  await page.screenshot({ path: join(out, 'desk-trends.png') });
});
