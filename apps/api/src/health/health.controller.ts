import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EVENT_LOG, EventStore, LogHorizon } from '@refund-desk/event-store';
import { MessagingLifecycle, MessagingStatus } from '@refund-desk/messaging';
import { AppConfig, Metrics, Public } from '@refund-desk/platform';
import { ProjectionRunner, ProjectionStatus } from '@refund-desk/read-models';
import { ApiProblems } from '../http/openapi';

interface Health {
  status: 'ok' | 'degraded' | 'down';
  store: { name: string; reachable: boolean; headPosition: number | null; error?: string };
  projections: readonly ProjectionStatus[];
  /** PostgreSQL only: committed events readers cannot see yet, and the transaction holding them. */
  horizon?: LogHorizon & { degraded: boolean };
  /** Where Kafka runs in this process: whether the relay's consumer runs, and the forwarder's lag. */
  kafka?: MessagingStatus;
}

/** Health says whether the store answers and how far behind each read model is. */
@ApiTags('operations')
@ApiProblems(429, 500)
@Public()
@Controller()
export class HealthController {
  constructor(
    // The log as stored (EventStoreModule), not the personal-data layer over it: health reads only
    // the head, and the projector process, which never opens sealed fields, has no such layer.
    @Inject(EVENT_LOG) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    private readonly metrics: Metrics,
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
      const head = await this.store.head();
      const projections = await this.projections.status();
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
      };
    } catch (error) {
      reply.status(503);
      return { status: 'down', store: { name: this.store.name, reachable: false, headPosition: null, error: (error as Error).message }, projections: [] };
    }
  }

  @Get('metrics')
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format 0.0.4)', description: 'No token needed.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'The metrics' })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    try {
      this.record(await this.projections.status());
      await this.horizon();
      await this.messaging?.status();
    } catch {
      // Metrics must still be served when the store is down; the lag gauges keep their last value.
    }
    return this.metrics.registry.metrics();
  }

  /** Sets the horizon gauges; degraded once a committed event has waited behind it longer than allowed. */
  private async horizon(): Promise<(LogHorizon & { degraded: boolean }) | null> {
    const horizon = (await this.store.horizon?.()) ?? null;
    if (!horizon) return null;
    this.metrics.logHorizonHeldEvents.set(horizon.heldEvents);
    this.metrics.logHorizonHeldSeconds.set(horizon.heldSeconds);
    this.metrics.logHorizonOldestTransactionSeconds.set(horizon.oldestTransaction?.ageSeconds ?? 0);
    const limit = this.config.LOG_HORIZON_DEGRADED_SECONDS;
    return { ...horizon, degraded: limit > 0 && horizon.heldSeconds > limit };
  }

  private record(projections: readonly ProjectionStatus[]): void {
    for (const p of projections) {
      this.metrics.projectionLagEvents.set({ projection: p.name }, p.lagEvents);
      this.metrics.projectionLagSeconds.set({ projection: p.name }, p.lagSeconds);
    }
  }
}
