/**
 * Projection lag under load: runs the whole service (API + projector in one process, as
 * `npm start` does) on a fresh store, sends commands over HTTP on loopback at a steady rate, and
 * samples what /health reports (events and seconds behind) every 250 ms. It also times each
 * command's response, and how long after the response its event is visible in the trend read
 * model (what a tool waiting with minPosition sees).
 *
 *   node -r ./test/support/register-ts.js bench/lag.ts --store postgres --rate 50 --seconds 60
 *   node -r ./test/support/register-ts.js bench/lag.ts --store pglite --rate 50 --seconds 60
 *
 * Results go to stdout and bench/results/lag-<store>.json.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProjectionRunner } from '@refund-desk/read-models';
import { sampleRequest, startTestApp } from '../test/support/test-app';

const quantile = (values: number[], q: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const summary = (values: number[], digits = 3) => ({
  p50: Number(quantile(values, 0.5).toFixed(digits)),
  p95: Number(quantile(values, 0.95).toFixed(digits)),
  max: Number(Math.max(0, ...values).toFixed(digits)),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'postgres' },
      rate: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '60' },
    },
  });
  const store = values.store === 'pglite' ? 'pglite' : 'postgres';
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const t = await startTestApp({ store });
  const runner = t.app.get(ProjectionRunner);
  const agent = t.token('bench_agent', ['agent']);
  const senior = t.token('bench_senior', ['senior_manager']);
  const lagSeconds: number[] = [];
  const lagEvents: number[] = [];
  const commandMs: number[] = [];
  const visibleMs: number[] = [];
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  const logged: string[] = [];
  const evaluated: string[] = [];

  const command = async (): Promise<void> => {
    const step = sent++ % 3;
    const started = Date.now();
    let response;
    if (step === 0 || (step === 1 && logged.length === 0) || (step === 2 && evaluated.length === 0)) {
      response = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
      if (response.status === 201) logged.push(response.body.caseId);
    } else if (step === 1) {
      const caseId = logged.shift()!;
      response = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
      if (response.status === 200) evaluated.push(caseId);
    } else {
      const caseId = evaluated.shift()!;
      response = await t.request('POST', `/v1/cases/${caseId}/decision`, {
        token: senior,
        body: { outcome: 'store_credit', rationale: 'Goodwill' },
      });
    }
    if (response.status >= 300) {
      failed += 1;
      return;
    }
    const answered = Date.now();
    commandMs.push(answered - started);
    if (await runner.waitForPosition('trend_analytics', response.body.position, 30_000)) visibleMs.push(Date.now() - answered);
  };

  const sampler = setInterval(() => {
    void runner.status().then((statuses) => {
      lagSeconds.push(Math.max(...statuses.map((s) => s.lagSeconds)));
      lagEvents.push(Math.max(...statuses.map((s) => s.lagEvents)));
    });
  }, 250);
  const began = Date.now();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < rate * seconds; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= 200) continue;
    inFlight += 1;
    const p = command()
      .catch(() => void (failed += 1))
      .finally(() => {
        inFlight -= 1;
        pending.delete(p);
      });
    pending.add(p);
  }
  await Promise.all(pending);
  clearInterval(sampler);
  const elapsed = (Date.now() - began) / 1000;
  const report = {
    store,
    targetCommandsPerSecond: rate,
    seconds: Number(elapsed.toFixed(1)),
    commandsSent: sent,
    commandsFailed: failed,
    achievedCommandsPerSecond: Number((sent / elapsed).toFixed(1)),
    lagSeconds: summary(lagSeconds),
    lagEvents: summary(lagEvents, 0),
    commandResponseMs: summary(commandMs, 0),
    responseToVisibleInTrendsMs: summary(visibleMs, 0),
    samples: lagSeconds.length,
    node: process.version,
    at: new Date().toISOString(),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `lag-${store}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await t.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
