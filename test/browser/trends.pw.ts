import { readFileSync } from 'node:fs';
import { api, deskUrl, escalatedCase, expect, readModelsAt, signIn, test, tokenFor } from './support/desk';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('the trends view draws its charts from seeded cases, and its CSV export holds the API figures', async ({ page }) => {
  const manager = tokenFor('mgr_trends', ['manager']);
  let position = 0;
  for (const [reason, outcome] of [['defective', 'refund'], ['damaged', 'denied'], ['defective', 'partial_refund'], ['wrong_item', 'refund']] as const) {
    const seeded = await escalatedCase((request) => (request.reason.code = reason));
    const decided = await api<{ position: number }>('POST', `/v1/cases/${seeded.caseId}/decision`, manager, {
      outcome,
      rationale: 'Seeded for the trends view.',
      ...(outcome === 'denied' ? {} : { amount: { minor: outcome === 'refund' ? 4990 : 2000, currency: 'EUR' } }),
    });
    position = decided.position;
    if (outcome === 'denied') continue;
    // Paid out: what the exception-cost chart counts.
    const amount = { minor: outcome === 'refund' ? 4990 : 2000, currency: 'EUR' };
    const agent = tokenFor('agent_trends', ['agent']);
    const reference = `rf_${seeded.caseId.slice(0, 8)}`;
    await api('POST', `/v1/cases/${seeded.caseId}/refund-execution`, agent, { status: 'issued', method: 'card', amount, reference });
    const settled = await api<{ position: number }>('POST', `/v1/cases/${seeded.caseId}/refund-execution`, agent, { status: 'settled', method: 'card', amount, reference });
    position = settled.position;
  }
  await readModelsAt(position);

  const query = `from=${day(-30)}&to=${day(1)}&interval=week&groupBy=reason`;
  await signIn(page, 'Marco Manager', 'manager', `/trends?${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Trends and insights' })).toBeVisible();
  const canvases = page.locator('canvas[role="img"]');
  await expect(canvases).toHaveCount(4);
  // Each chart drew something: its canvas is not blank.
  for (const canvas of await canvases.all()) {
    const painted = await canvas.evaluate((element: HTMLCanvasElement) => {
      const pixels = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
      let count = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) count += 1;
      return count;
    });
    expect(painted).toBeGreaterThan(500);
  }

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8').trim().split(/\r\n/);
  const [header, ...rows] = csv.map((line) => line.split(','));
  const column = (name: string) => header.indexOf(name);
  const apiTrends = await api<{ buckets: { start: string; group: string; requests: number; approvals: number; denials: number; escalations: number; refunded: { minor: number; currency: string }[] }[] }>(
    'GET',
    `/v1/analytics/trends?from=${day(-30)}T00:00:00Z&to=${day(1)}T00:00:00Z&interval=week&groupBy=reason`,
    manager,
  );
  expect(rows).toHaveLength(apiTrends.buckets.length);
  expect(apiTrends.buckets.reduce((sum, bucket) => sum + bucket.requests, 0)).toBeGreaterThanOrEqual(4);
  apiTrends.buckets.forEach((bucket, index) => {
    const row = rows[index];
    expect(row[column('start')]).toBe(bucket.start);
    expect(row[column('group')]).toBe(bucket.group ?? '');
    for (const name of ['requests', 'escalations', 'approvals', 'denials'] as const) expect(Number(row[column(name)])).toBe(bucket[name]);
    expect(row[column('refunded')]).toBe(bucket.refunded.map((money) => `${money.currency} ${money.minor}`).join('; '));
  });
  expect(page.url().startsWith(deskUrl())).toBe(true);
});
