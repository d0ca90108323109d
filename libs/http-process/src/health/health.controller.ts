import { Controller, Get, Header, Inject, Logger, OnModuleDestroy, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { LogHorizon, SealedEventLog } from '@refund-desk/event-store';
import { MessagingLifecycle, MessagingStatus } from '@refund-desk/messaging';
import { AppConfig, Metrics, Public } from '@refund-desk/platform';
import { ProjectionRunner, ProjectionStatus } from '@refund-desk/read-models';
import { ApiProblems } from '../openapi-problems';

interface Health {
  status: 'ok' | 'degraded' | 'down';
  store: { name: string; reachable: boolean; headPosition: number | null; error?: string };
  projections: readonly ProjectionStatus[];
  /** PostgreSQL only: committed events readers cannot see yet, and the transaction holding them. */
  horizon?: LogHorizon & { degraded: boolean };
  /** Where Kafka runs in this process: whether the relay's consumer runs, and the forwarder's lag. */
  kafka?: MessagingStatus;
  leading?: { projections: boolean; forwarder?: boolean };
}

/** A probe that hangs is a failed probe: the orchestrator's own timeout would say less. */
const PROBE_TIMEOUT_MS = 3_000;

/** What the public answer says when the store is down; the cause (with its address) goes to the log only. */
const STORE_DOWN = 'the event store did not answer';

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Probes for an orchestrator and the overview the contract lists:
 * - `/health/live`: the process answers (restart it when not); never looks at dependencies,
 *   so an outage of the database does not get every replica restarted;
 * - `/health/ready`: the event store and the SQL database answer (take it out of the load
 *   balancer while not): 503 with the failing check named, and no internal address in the body;
 * - `/health`: store reachability and each read model's lag.
 */
@ApiTags('operations')
@ApiProblems(429, 500)
@Public()
@Controller()
export class HealthController implements OnModuleDestroy {
  private readonly logger = new Logger('Health');
  private lastFailure: string | undefined;
  /** Set when shutdown begins: readiness fails from then on, so a load balancer sends nothing new while requests in flight finish. */
  private stopping = false;

  constructor(
    // The log as stored (EventStoreModule), not the personal-data layer over it: health reads only
    // the head, and the projector process, which never opens sealed fields, has no such layer.
    private readonly store: SealedEventLog,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly projections: ProjectionRunner,
    private readonly metrics: Metrics,
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
    @Optional() private readonly messaging?: MessagingLifecycle,
  ) {}

  @Get('health')
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Store reachability, projection lag, the read horizon and the Kafka relay',
    description:
      '503 when the store is down or the Kafka relay of this process has no consumer running; `degraded` (still 200) when a read model is over 60 s behind ' +
      'or a committed event has waited behind the read horizon longer than LOG_HORIZON_DEGRADED_SECONDS. No token needed.',
  })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/Health' }, description: 'The store answers (status ok or degraded)' })
  @ApiResponse({ status: 503, schema: { $ref: '#/components/schemas/Health' }, description: 'The store does not answer, or the Kafka relay is not running (status down)' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Health> {
    try {
      const head = await withTimeout(this.store.head(), 'the event store');
      const projections = await withTimeout(this.projections.status(), 'the read model database');
      this.recovered();
      this.record(projections);
      const horizon = await this.horizon();
      const kafka = (await this.messaging?.status()) ?? undefined;
      const lagging = projections.some((p) => p.lagSeconds > 60) || horizon?.degraded === true;
      if (kafka && !kafka.ready) reply.status(503);
      return {
        status: kafka && !kafka.ready ? 'down' : lagging ? 'degraded' : 'ok',
        store: { name: this.store.name, reachable: true, headPosition: head.position },
        projections,
        ...(horizon ? { horizon } : {}),
        ...(kafka ? { kafka } : {}),
        leading: this.leading(),
      };
    } catch (error) {
      this.failed('health', error);
      reply.status(503);
      return { status: 'down', store: { name: this.store.name, reachable: false, headPosition: null, error: STORE_DOWN }, projections: [] };
    }
  }

  @Get('health/live')
  @HealthCheck()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: 200 while the process serves requests; looks at no dependency' })
  live(): Promise<HealthCheckResult> {
    return this.checks.check([async () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({
    operationId: 'getReadiness',
    summary:
      'Readiness: 200 when the event store and the database answer (and, where this process relays Kafka, its consumer runs); 503 naming the failing check otherwise, and from the moment shutdown begins (check `lifecycle`)',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      const result = await this.checks.check([
        () => this.lifecycleCheck(),
        () => this.storeCheck(),
        () => this.databaseCheck(),
        ...(this.messaging ? [() => this.kafkaCheck()] : []),
      ]);
      this.recovered();
      return result;
    } catch (error) {
      // Terminus answers a failed check with this exception; its body is the check result, already free of causes.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  @Get('metrics')
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format 0.0.4)', description: 'No token needed.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'The metrics' })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    try {
      this.record(await withTimeout(this.projections.status(), 'the read model database'));
      await this.horizon();
      await this.messaging?.status();
    } catch {
      // Metrics must still be served when the store is down; the lag gauges keep their last value.
    }
    return this.metrics.registry.metrics();
  }

  /** Sets the horizon gauges; degraded once a committed event has waited behind it longer than allowed. */
  private leading(): { projections: boolean; forwarder?: boolean } {
    const forwarder = this.messaging?.caseEventForwarder;
    return { projections: this.projections.leading, ...(forwarder ? { forwarder: forwarder.leading } : {}) };
  }

  private async horizon(): Promise<(LogHorizon & { degraded: boolean }) | null> {
    const horizon = (await this.store.horizon?.()) ?? null;
    if (!horizon) return null;
    this.metrics.logHorizonHeldEvents.set(horizon.heldEvents);
    this.metrics.logHorizonHeldSeconds.set(horizon.heldSeconds);
    this.metrics.logHorizonOldestTransactionSeconds.set(horizon.oldestTransaction?.ageSeconds ?? 0);
    const limit = this.config.LOG_HORIZON_DEGRADED_SECONDS;
    return { ...horizon, degraded: limit > 0 && horizon.heldSeconds > limit };
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  private lifecycleCheck(): HealthIndicatorResult {
    const check = this.indicators.check('lifecycle');
    return this.stopping ? check.down({ message: 'shutting down' }) : check.up();
  }

  private async storeCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('store');
    try {
      const head = await withTimeout(this.store.head(), 'the event store');
      return check.up({ name: this.store.name, headPosition: head.position });
    } catch (error) {
      this.failed('store', error);
      return check.down({ name: this.store.name, message: STORE_DOWN });
    }
  }

  private async databaseCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await withTimeout(this.db.query('SELECT 1'), 'the database');
      return check.up({ kind: this.db.kind });
    } catch (error) {
      this.failed('database', error);
      return check.down({ kind: this.db.kind, message: 'the database did not answer' });
    }
  }

  /** Where this process runs the Kafka relay: not ready while its consumer is not running (issue 17). */
  private async kafkaCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('kafka');
    const status = await this.messaging?.status();
    if (!status || status.ready) return check.up();
    return check.down({ message: 'the Kafka relay has no consumer running' });
  }

  /** Logged once per distinct cause, not on every probe, so an outage does not flood the log. */
  private failed(check: string, error: unknown): void {
    const cause = error instanceof Error ? error.message : String(error);
    if (this.lastFailure === `${check}:${cause}`) return;
    this.lastFailure = `${check}:${cause}`;
    this.logger.warn({ msg: 'health check failed', check, err: error });
  }

  private recovered(): void {
    if (this.lastFailure === undefined) return;
    this.lastFailure = undefined;
    this.logger.log('health checks pass again');
  }

  private record(projections: readonly ProjectionStatus[]): void {
    for (const p of projections) {
      this.metrics.projectionLagEvents.set({ projection: p.name }, p.lagEvents);
      this.metrics.projectionLagSeconds.set({ projection: p.name }, p.lagSeconds);
    }
  }
}
