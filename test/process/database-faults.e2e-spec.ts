/**
 * Database faults under a steady load of commands, on real processes: the built service (what
 * `npm start` runs: API and projections in one process) on a PostgreSQL cluster this suite
 * creates and owns. Its connections are terminated, then the server is stopped (-m immediate)
 * and started again. The service must stay up, answer 503 with Retry-After while the database is
 * away (never 500, never a dropped connection), recover by itself within seconds, lose no
 * acknowledged command, and its projections must catch up without skipping an event.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithOwnCluster, OwnCluster } from '../support/pg-cluster';
import { baseEnv, ENTRY_POINTS, ensureBuilt, escalatingRequest, eventually, freePort, http, mintToken, randomMasterKey, ServiceProcess, sleep } from '../support/processes';

jest.setTimeout(180_000);

/** The service's pool names its connections so (PostgresDatabase's default application_name). */
const APPLICATION_NAME = 'refund-desk';
/** How soon after the database is back the service must serve commands again. */
const RECOVERY_LIMIT_MS = 5_000;

interface Answer {
  readonly kind: 'log' | 'evaluate' | 'query';
  readonly sentAt: number;
  readonly answeredAt: number;
  /** 0: no HTTP answer at all (connection refused or reset, timeout). */
  readonly status: number;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly caseId?: string;
  readonly error?: string;
}

/**
 * Workers that each log a case, evaluate it and run two queries, over and over, with a short
 * pause: a steady stream of commands and queries whatever the database is doing.
 */
class Load {
  readonly answers: Answer[] = [];
  private running = true;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly url: string,
    private readonly token: string,
    workers = 4,
    private readonly pauseMs = 20,
  ) {
    this.workers = Array.from({ length: workers }, () => this.work());
  }

  private async send(kind: Answer['kind'], path: string, body?: unknown, headers?: Record<string, string>, caseId?: string): Promise<Answer> {
    const sentAt = Date.now();
    let answer: Answer;
    try {
      const response = await http(this.url, kind === 'query' ? 'GET' : 'POST', path, { token: this.token, body, headers, timeoutMs: 15_000 });
      answer = {
        kind,
        sentAt,
        answeredAt: Date.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        contentType: response.headers.get('content-type'),
        caseId: caseId ?? response.body?.caseId,
      };
    } catch (error) {
      answer = { kind, sentAt, answeredAt: Date.now(), status: 0, retryAfter: null, contentType: null, caseId, error: (error as Error).message };
    }
    this.answers.push(answer);
    return answer;
  }

  private async work(): Promise<void> {
    while (this.running) {
      const logged = await this.send('log', '/v1/cases', escalatingRequest(), { 'idempotency-key': randomBytes(12).toString('hex') });
      if (logged.status === 201 && logged.caseId) await this.send('evaluate', `/v1/cases/${logged.caseId}/evaluation`, undefined, undefined, logged.caseId);
      // A query of a read model, and one that folds a case's stream.
      await this.send('query', '/v1/queues/follow-up?limit=5');
      if (logged.caseId) await this.send('query', `/v1/cases/${logged.caseId}`);
      await sleep(this.pauseMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Answers to requests sent in [from, to). */
  between(from: number, to = Number.POSITIVE_INFINITY): Answer[] {
    return this.answers.filter((a) => a.sentAt >= from && a.sentAt < to);
  }

  /** The first acknowledged command sent at or after `from`. */
  firstSuccessAfter(from: number): Answer | undefined {
    return this.answers
      .filter((a) => a.kind !== 'query' && a.sentAt >= from && a.status >= 200 && a.status < 300)
      .sort((a, b) => a.answeredAt - b.answeredAt)[0];
  }
}

/** e.g. {"log 201": 30, "query 503": 12} */
const countByStatus = (answers: readonly Answer[]): Record<string, number> =>
  answers.reduce<Record<string, number>>((counts, a) => ({ ...counts, [`${a.kind} ${a.status}`]: (counts[`${a.kind} ${a.status}`] ?? 0) + 1 }), {});

/** Every answer is a success or a 503 that says when to retry, as Problem Details. */
function expectOnlySuccessOr503(answers: readonly Answer[]): void {
  const wrong = answers.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503);
  expect(wrong).toEqual([]);
  for (const unavailable of answers.filter((a) => a.status === 503)) {
    expect(unavailable.retryAfter).toMatch(/^\d+$/);
    expect(unavailable.contentType).toContain('application/problem+json');
  }
}

describeWithOwnCluster('database faults under load, on real processes (a PostgreSQL cluster of its own)', () => {
  let cluster: OwnCluster;
  let service: ServiceProcess;
  let load: Load | undefined;
  let dataDir: string;
  const acknowledged: Answer[] = [];
  const token = mintToken('agent_load', ['agent']);

  beforeAll(async () => {
    await ensureBuilt();
    cluster = await OwnCluster.create();
    dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-faults-'));
    service = ServiceProcess.start(
      'refund-desk',
      ENTRY_POINTS.all,
      baseEnv({ DATABASE_URL: cluster.url, DATA_DIR: dataDir, PII_MASTER_KEY: randomMasterKey(), PORT: String(await freePort()), DATABASE_POOL_SIZE: '6' }),
    );
    await service.waitReady();
  }, 10 * 60_000);

  afterEach(async () => {
    await load?.stop();
    if (load) acknowledged.push(...load.answers.filter((a) => a.kind !== 'query' && a.status >= 200 && a.status < 300));
    load = undefined;
  });

  afterAll(async () => {
    // Its warnings and errors, for a look at what the outage looked like from inside.
    if (service) writeFileSync(join(tmpdir(), 'refund-desk-faults-service.log'), service.logs());
    service?.kill();
    await service?.exited;
    await cluster?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  const expectAlive = (): void => {
    if (service.exitStatus) throw new Error(`the service exited (${JSON.stringify(service.exitStatus)}):\n${service.logs()}`);
  };

  it('keeps serving while its connections are terminated (pg_terminate_backend), answering 503 with Retry-After for the commands caught', async () => {
    load = new Load(service.url, token);
    await eventually('commands to succeed before the fault', () => load!.answers.some((a) => a.status === 201), 30_000);
    const firstFault = Date.now();
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      terminated += await cluster.terminateConnections(APPLICATION_NAME);
      await sleep(300);
    }
    const lastFault = Date.now();
    const recoveredMs = await eventually('a command to succeed after the last termination', () => load!.firstSuccessAfter(lastFault) !== undefined, RECOVERY_LIMIT_MS, 20);
    await sleep(1_000);
    await load.stop();
    expectAlive();

    const during = load.between(firstFault);
    console.log(
      `pg_terminate_backend: ${terminated} connections ended in 6 rounds; answers since the first: ${JSON.stringify(countByStatus(during))}; ` +
        `first success ${load.firstSuccessAfter(lastFault)!.answeredAt - lastFault} ms after the last round`,
    );
    expect(terminated).toBeGreaterThan(0);
    expectOnlySuccessOr503(load.answers);
    expect(recoveredMs).toBeLessThan(RECOVERY_LIMIT_MS);
  });

  it('answers 503 with Retry-After while the server is stopped (-m immediate), and recovers by itself within seconds of its restart', async () => {
    load = new Load(service.url, token);
    await eventually('commands to succeed before the fault', () => load!.answers.some((a) => a.status === 201), 30_000);
    await cluster.stopImmediately();
    // Once pg_ctlcluster returns the server is gone (the command itself takes a while to start).
    const stoppedAt = Date.now();
    await sleep(3_000);
    expectAlive();
    const health = await http(service.url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', store: { reachable: false } });

    const restartBegun = Date.now();
    await cluster.start();
    const restartedAt = Date.now();
    await eventually('a command to succeed after the restart', () => load!.firstSuccessAfter(restartedAt) !== undefined, 30_000, 20);
    const firstSuccess = load.firstSuccessAfter(restartedAt)!;
    await eventually(
      'every projection to catch up',
      async () => {
        const answer = await http(service.url, 'GET', '/health');
        return answer.status === 200 && answer.body.projections.every((p: { lagEvents: number }) => p.lagEvents === 0);
      },
      30_000,
      100,
    );
    const projectionsBackMs = Date.now() - restartedAt;
    await load.stop();
    expectAlive();

    const outage = load.between(stoppedAt, restartBegun);
    console.log(
      `stop -m immediate: answers during the outage ${JSON.stringify(countByStatus(outage))}; server start took ${restartedAt - restartBegun} ms; ` +
        `first acknowledged command ${firstSuccess.answeredAt - restartedAt} ms after the server accepted connections; ` +
        `projections caught up ${projectionsBackMs} ms after it (under load until then)`,
    );
    expectOnlySuccessOr503(load.answers);
    // While the server was down commands and queries were refused, each with when to come back.
    expect(outage.filter((a) => a.kind === 'log' && a.status === 503).length).toBeGreaterThan(0);
    expect(outage.filter((a) => a.kind === 'query' && a.status === 503).length).toBeGreaterThan(0);
    expect(outage.filter((a) => a.status >= 200 && a.status < 300)).toEqual([]);
    expect(firstSuccess.answeredAt - restartedAt).toBeLessThan(RECOVERY_LIMIT_MS);
  });

  it('lost no acknowledged command, and the projections skipped no event', async () => {
    expectAlive();
    const logged = acknowledged.filter((a) => a.kind === 'log');
    const evaluated = new Set(acknowledged.filter((a) => a.kind === 'evaluate').map((a) => a.caseId));
    expect(logged.length).toBeGreaterThan(20);
    expect(evaluated.size).toBeGreaterThan(0);
    const reader = mintToken('agent_reader', ['agent']);
    for (const answer of logged) {
      const found = await http(service.url, 'GET', `/v1/cases/${answer.caseId}`, { token: reader });
      const expected = evaluated.has(answer.caseId) ? 'escalated' : expect.any(String);
      expect({ caseId: answer.caseId, status: found.status, state: found.body?.status }).toEqual({ caseId: answer.caseId, status: 200, state: expected });
    }
    const failures = await cluster.query<{ count: number }>('SELECT count(*)::int AS count FROM projection_failures');
    expect(failures[0].count).toBe(0);
    // The queue's table has a row per logged case; the queue itself is the escalated ones.
    const [queue] = await cluster.query<{ cases: number; escalated: number }>(
      "SELECT count(*)::int AS cases, (count(*) FILTER (WHERE status = 'escalated'))::int AS escalated FROM rm_manager_queue",
    );
    const [log] = await cluster.query<{ cases: number; escalated: number }>(
      `SELECT (count(DISTINCT stream_id) FILTER (WHERE event_type = 'RequestLogged'))::int AS cases,
              (count(DISTINCT stream_id) FILTER (WHERE event_type = 'Escalated'))::int AS escalated FROM events`,
    );
    expect(queue).toEqual(log);
    console.log(`acknowledged: ${logged.length} cases logged, ${evaluated.size} evaluated; all read back; ${queue.escalated} in the manager queue, as in the log`);
  });
});
