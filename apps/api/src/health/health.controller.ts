import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EVENT_LOG, EventStore } from '@refund-desk/event-store';
import { Metrics, Public } from '@refund-desk/platform';
import { ProjectionRunner, ProjectionStatus } from '@refund-desk/read-models';

interface Health {
  status: 'ok' | 'degraded' | 'down';
  store: { name: string; reachable: boolean; headPosition: number | null; error?: string };
  projections: readonly ProjectionStatus[];
}

/** Health says whether the store answers and how far behind each read model is. */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    // The log as stored (EventStoreModule), not the personal-data layer over it: health reads only
    // the head, and the projector process, which never opens sealed fields, has no such layer.
    @Inject(EVENT_LOG) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    private readonly metrics: Metrics,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Store reachability and projection lag; 503 when the store is down' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Health> {
    try {
      const head = await this.store.head();
      const projections = await this.projections.status();
      this.record(projections);
      const lagging = projections.some((p) => p.lagSeconds > 60);
      return {
        status: lagging ? 'degraded' : 'ok',
        store: { name: this.store.name, reachable: true, headPosition: head.position },
        projections,
      };
    } catch (error) {
      reply.status(503);
      return { status: 'down', store: { name: this.store.name, reachable: false, headPosition: null, error: (error as Error).message }, projections: [] };
    }
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    try {
      this.record(await this.projections.status());
    } catch {
      // Metrics must still be served when the store is down; the lag gauges keep their last value.
    }
    return this.metrics.registry.metrics();
  }

  private record(projections: readonly ProjectionStatus[]): void {
    for (const p of projections) {
      this.metrics.projectionLagEvents.set({ projection: p.name }, p.lagEvents);
      this.metrics.projectionLagSeconds.set({ projection: p.name }, p.lagSeconds);
    }
  }
}
