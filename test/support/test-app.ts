import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DestinationStream } from 'pino';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PgliteDatabase, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { Role } from '@refund-desk/domain';
import { createHttpAdapter } from '@refund-desk/http-process';
import { AppConfig, Clock, loadAppConfig, LOG_DESTINATION } from '@refund-desk/platform';
import { configureHttpApp } from '@refund-desk/http-api';
import { RefundDeskModule } from '../../apps/refund-desk/src/refund-desk.module';
import { OpenApiResponseChecker, responseCheckerFor } from './openapi-responses';
import { openTestSchema } from './postgres';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** A clock the test moves by hand; starts at the real time unless told otherwise. */
export class TestClock extends Clock {
  private offsetMs = 0;
  constructor(private readonly fixed?: Date) {
    super();
  }
  now(): Date {
    return new Date((this.fixed?.getTime() ?? Date.now()) + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface HttpResult<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface RequestOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** Thrown when an answer does not match the OpenAPI document: the test fails on it. */
export class ContractViolation extends Error {
  constructor(problems: readonly string[]) {
    super(`The response does not match the OpenAPI document:\n- ${problems.join('\n- ')}`);
    this.name = 'ContractViolation';
  }
}

export interface TestApp {
  readonly url: string;
  readonly app: NestFastifyApplication;
  readonly clock: TestClock;
  readonly db: SqlDatabase;
  /**
   * A token the app accepts: it expires (in 1 h unless told; `expiresIn: null` leaves exp out) and
   * carries the configured AUTH_ISSUER and AUTH_AUDIENCE; `claims` adds or overrides claims.
   */
  token(sub: string, roles: Role[], options?: { secret?: string; expiresIn?: string | number | null; claims?: Record<string, unknown> }): string;
  /** Every answer is checked against the OpenAPI document the app serves (ContractViolation otherwise). */
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  /** The JSON log lines written so far (with `captureLogs`; empty otherwise). */
  logs(): Record<string, any>[];
  /** The same check, for answers a suite reads itself (streams). */
  checkResponse(method: string, path: string, status: number, headers: Headers, text: string): void;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly store?: 'pglite' | 'postgres';
  readonly now?: Date;
  readonly env?: Record<string, string>;
  /** A database to use instead of a fresh in-memory one (closed with the app). */
  readonly database?: SqlDatabase;
  /** DATA_DIR (secrets and generated keys); a fresh temporary folder by default. */
  readonly dataDir?: string;
  /** Keep the service's log lines (at LOG_LEVEL info unless env says otherwise) for `logs()`. */
  readonly captureLogs?: boolean;
  /** Where the log lines go instead (at LOG_LEVEL info unless env says otherwise): the bench logs as production does. */
  readonly logDestination?: DestinationStream;
}

/** The whole service (API + projector) on a fresh store, listening on a random local port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'refund-desk-test-'));
  const config: AppConfig = loadAppConfig({
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: options.captureLogs || options.logDestination ? 'info' : 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
    RATE_LIMIT_CONCURRENT_PER_ADDRESS: '0',
    RATE_LIMIT_REFUSAL_DELAY_MS: '0',
    SHUTDOWN_GRACE_MS: '500',
    // Suites that move the clock past a deadline drive the scheduler's tick() themselves.
    DEADLINE_SCHEDULER_ENABLED: 'false',
    ...options.env,
  });
  let db: SqlDatabase;
  let dropSchema = async (): Promise<void> => undefined;
  if (options.database) {
    db = options.database;
  } else if (options.store === 'postgres') {
    const schema = await openTestSchema('e2e');
    db = schema.db;
    dropSchema = schema.drop;
  } else {
    db = await PgliteDatabase.open();
  }
  const clock = new TestClock(options.now);
  const logLines: string[] = [];
  const logStream = { write: (chunk: string) => void logLines.push(...chunk.split('\n').filter(Boolean)) };
  const moduleRef = await Test.createTestingModule({ imports: [RefundDeskModule] })
    .overrideProvider(LOG_DESTINATION)
    .useValue(options.logDestination ?? (options.captureLogs ? logStream : null))
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(SQL_DATABASE)
    .useValue(db)
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
  await configureHttpApp(app, config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  // The document as served, fetched from an address of its own so it spends none of the per-address
  // budget that the rate-limit suites count from the test client's address.
  const served = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json', remoteAddress: '192.0.2.254' });
  const checker: OpenApiResponseChecker = responseCheckerFor(served.json() as Record<string, unknown>);
  const checkResponse = (method: string, path: string, status: number, headers: Headers, text: string): void => {
    const problems = checker.check(method, path, status, headers, text);
    if (problems.length > 0) throw new ContractViolation(problems);
  };

  return {
    url,
    app,
    clock,
    db,
    token: (sub, roles, tokenOptions = {}) =>
      jwt.sign(
        { sub, roles, ...(config.AUTH_ISSUER ? { iss: config.AUTH_ISSUER } : {}), ...(config.AUTH_AUDIENCE ? { aud: config.AUTH_AUDIENCE } : {}), ...tokenOptions.claims },
        {
          secret: tokenOptions.secret ?? TEST_JWT_SECRET,
          ...(tokenOptions.expiresIn === null ? {} : { expiresIn: (tokenOptions.expiresIn ?? '1h') as never }),
        },
      ),
    request: async (method, path, requestOptions = {}) => {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
      let body: string | Buffer | undefined = requestOptions.raw;
      if (body === undefined && requestOptions.body !== undefined) body = JSON.stringify(requestOptions.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (metrics, NDJSON): the text is the body.
      }
      checkResponse(method, path, response.status, response.headers, text);
      return { status: response.status, headers: response.headers, body: parsed as never, text };
    },
    logs: () => logLines.map((line) => JSON.parse(line) as Record<string, any>),
    checkResponse,
    close: async () => {
      await app.close();
      await dropSchema();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The contract's example request, with a purchase date relative to `now`. */
export function sampleRequest(now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const purchasedAt = new Date(now.getTime() - 40 * 86_400_000).toISOString();
  return {
    customer: { id: `cus_${Math.random().toString(36).slice(2, 10)}`, name: 'Maria Rossi', email: 'maria@example.com', phone: '+39 055 0000', locale: 'it' },
    // Switzerland: consumer law the legal rules do not hold, so a defect 40 days on stays the policy
    // exception these suites need (in the EU it would be a legal-guarantee claim, not an exception).
    order: { id: 'ord_5521', purchasedAt, country: 'CH', paymentMethod: 'card' },
    product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances', condition: 'used' },
    amount: { minor: 4990, currency: 'EUR' },
    reason: { code: 'defective', description: 'Stopped heating after 40 days' },
    requestedResolution: 'refund',
    channel: 'email',
    evidence: [{ kind: 'receipt', uri: 'https://files.example.com/r/5521.pdf' }],
    ...overrides,
  };
}

/** Polls /health until every projection has caught up with the log (never a fixed sleep). */
export async function waitForProjections(t: TestApp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await t.request<{ projections: Array<{ name: string; lagEvents: number }> }>('GET', '/health');
    const behind = health.body.projections.filter((p) => p.lagEvents > 0);
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`projections still behind: ${behind.map((p) => p.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
