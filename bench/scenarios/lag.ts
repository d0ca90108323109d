import { randomBytes } from 'node:crypto';
import { PostgresDatabase } from '@refund-desk/database';
import { ProjectionRunner } from '@refund-desk/read-models';
import { sampleRequest, startTestApp, waitForProjections } from '../../test/support/test-app';
import { runLoad } from '../support/load';
import { productionLogSink } from '../support/logs';
import { say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';
import { LatencySummary, summarize } from '../support/stats';

export interface LagCell {
  readonly scenario: 'lag';
  readonly store: 'postgres';
  readonly rate: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  readonly commandLatencyMs: LatencySummary;
  readonly failedCommands: number;
  /** Age of the oldest event not yet in every read model, sampled every 100 ms (what /health reports). */
  readonly lagMs: LatencySummary;
  readonly samples: number;
  /** From the end of the load until every read model had everything. */
  readonly drainMs: number;
}

/**
 * Projection lag while commands arrive at a fixed rate: the whole service in one process as
 * `npm start` runs it (API and projector), POST /v1/cases from a load generator in another
 * process, and the projector's own status sampled on a timer.
 */
export async function runLagScenario(options: { scratch: ScratchDatabase; rate: number; seconds: number }): Promise<LagCell> {
  const schema = `lag_${randomBytes(4).toString('hex')}`;
  const database = await PostgresDatabase.open({ connectionString: options.scratch.url, schema, poolSize: 10 });
  const app = await startTestApp({ database, logDestination: productionLogSink() });
  try {
    const runner = app.app.get(ProjectionRunner);
    const agent = app.token('bench_agent', ['agent']);
    const lags: number[] = [];
    let sampling = true;
    const sample = async (): Promise<void> => {
      while (sampling) {
        const started = Date.now();
        const statuses = await runner.status();
        lags.push(Math.max(0, ...statuses.map((s) => s.lagSeconds * 1000)));
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
      }
    };
    const post = {
      url: `${app.url}/v1/cases`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: JSON.stringify(sampleRequest(app.clock.now())),
      connections: 64,
      rate: options.rate,
    };
    // As in the HTTP scenario: a cold service (connections still opening, code not yet optimized,
    // statements not yet prepared) is not what is measured. Its first second set the p99 before.
    say(`lag: warm-up, then POST /v1/cases at ${options.rate}/s for ${options.seconds} s with the projector running`);
    await runLoad({ ...post, seconds: 2 });
    await waitForProjections(app, 300_000);
    const sampler = sample();
    const load = await runLoad({ ...post, seconds: options.seconds });
    const ended = Date.now();
    await waitForProjections(app, 300_000);
    const drainMs = Date.now() - ended;
    sampling = false;
    await sampler;
    return {
      scenario: 'lag',
      store: 'postgres',
      rate: options.rate,
      seconds: options.seconds,
      commandsPerSecond: load.requestsPerSecond,
      commandLatencyMs: load.latencyMs,
      failedCommands: load.non2xx + load.errors + load.timeouts,
      lagMs: summarize(lags, 0),
      samples: lags.length,
      drainMs,
    };
  } finally {
    await app.close();
  }
}
