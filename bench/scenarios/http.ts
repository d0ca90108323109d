import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { EvaluateCaseCommand, LogRequestCommand } from '@refund-desk/case-handling';
import { PostgresDatabase } from '@refund-desk/database';
import { RefundRequest } from '@refund-desk/domain';
import { ProjectionRunner } from '@refund-desk/read-models';
import { sampleRequest, startTestApp, waitForProjections } from '../../test/support/test-app';
import { runLoad, LoadResult } from '../support/load';
import { productionLogSink } from '../support/logs';
import { say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';

export interface HttpCell {
  readonly scenario: 'http';
  readonly store: 'postgres';
  readonly target: 'refund-desk' | 'bare route';
  readonly route: string;
  /** Requests per second asked for; null: as fast as answered. */
  readonly rate: number | null;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: LoadResult['latencyMs'];
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

const cell = (target: HttpCell['target'], route: string, rate: number | null, connections: number, r: LoadResult): HttpCell => ({
  scenario: 'http',
  store: 'postgres',
  target,
  route,
  rate,
  connections,
  requestsPerSecond: r.requestsPerSecond,
  latencyMs: r.latencyMs,
  requests: r.requests,
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

const QUEUE_PAGE = `SELECT case_id, customer_id, product_sku, product_name, product_category, amount_minor, currency, reason_code,
         priority, priority_rank, escalation_codes, required_authority, escalated_at, sla_due_at, assignee,
         sla_due_at < now() AS breached
    FROM rm_manager_queue WHERE status = 'escalated'
   ORDER BY priority_rank DESC, sla_due_at, case_id LIMIT 51`;

/**
 * The least an HTTP service can do for the same requests: Fastify alone, the body parsed and
 * stored as one event row with one INSERT, the queue page read with one SELECT; no validation,
 * no auth, no domain. The ratio to it is what the framework, validation and domain cost.
 */
async function startBareServer(url: string, schema: string, poolSize: number) {
  const pool = new Pool({ connectionString: url, max: poolSize, options: `-c search_path=${schema}` });
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  app.post('/bare/cases', async (request, reply) => {
    const caseId = randomUUID();
    const { rows } = await pool.query<{ global_position: string }>({
      name: 'bare_insert',
      text: `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, occurred_at)
             VALUES ($1, 1, $2, 'RequestLogged', 1, $3, $4, now()) RETURNING global_position`,
      values: [`case-${caseId}`, randomUUID(), JSON.stringify(request.body), JSON.stringify({ actor: 'bench', correlationId: randomUUID() })],
    });
    return reply.code(201).send({ caseId, position: Number(rows[0].global_position) });
  });
  app.get('/bare/queue', async () => {
    const { rows } = await pool.query({ name: 'bare_queue', text: QUEUE_PAGE });
    return { items: rows.slice(0, 50), nextCursor: null };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, close: async () => (await app.close(), await pool.end()) };
}

export async function runHttpScenario(options: {
  scratch: ScratchDatabase;
  seconds: number;
  rate: number;
  queueCases: number;
}): Promise<HttpCell[]> {
  const schema = `http_${randomBytes(4).toString('hex')}`;
  // The API process as deployed: its own pool of the default size, no projector in it.
  const database = await PostgresDatabase.open({ connectionString: options.scratch.url, schema, poolSize: 10 });
  const app = await startTestApp({ database, env: { PROJECTIONS_ENABLED: 'false' }, logDestination: productionLogSink() });
  const cells: HttpCell[] = [];
  try {
    const agent = app.token('bench_agent', ['agent']);
    const manager = app.token('bench_manager', ['manager']);
    const body = JSON.stringify(sampleRequest(app.clock.now()));
    const post = { method: 'POST' as const, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` } };

    say(`http: seeding ${options.queueCases} escalated cases for the manager queue`);
    const bus = app.app.get(CommandBus);
    const ctx = () => ({ actor: { id: 'bench_agent', roles: ['agent' as const] }, correlationId: randomUUID(), causationId: null });
    for (let i = 0; i < options.queueCases; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, options.queueCases - i) }, async () => {
          const logged = await bus.execute(new LogRequestCommand(sampleRequest(app.clock.now()) as unknown as RefundRequest, ctx()));
          await bus.execute(new EvaluateCaseCommand(logged.caseId, ctx()));
        }),
      );
    }
    const runner = app.app.get(ProjectionRunner);
    runner.start();
    await waitForProjections(app, 300_000);
    await runner.stop();

    const bare = await startBareServer(options.scratch.url, schema, 10);
    try {
      const targets = [
        { target: 'refund-desk' as const, post: `${app.url}/v1/cases`, queue: `${app.url}/v1/queues/manager` },
        { target: 'bare route' as const, post: `${bare.url}/bare/cases`, queue: `${bare.url}/bare/queue` },
      ];
      for (const t of targets) {
        say(`http: ${t.target}: warm-up, then POST as fast as answered, POST at ${options.rate}/s, GET queue`);
        await runLoad({ url: t.post, ...post, connections: 16, seconds: 2 });
        cells.push(cell(t.target, 'POST /v1/cases', null, 32, await runLoad({ url: t.post, ...post, connections: 32, seconds: options.seconds })));
        cells.push(
          cell(t.target, 'POST /v1/cases', options.rate, 64, await runLoad({ url: t.post, ...post, connections: 64, seconds: options.seconds, rate: options.rate })),
        );
        const get = { headers: { authorization: `Bearer ${manager}` }, connections: 32, seconds: options.seconds };
        cells.push(cell(t.target, 'GET /v1/queues/manager', null, 32, await runLoad({ url: t.queue, ...get })));
      }
    } finally {
      await bare.close();
    }
  } finally {
    await app.close();
  }
  return cells;
}
