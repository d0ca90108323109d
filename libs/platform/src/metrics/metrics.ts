import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, shared by the HTTP layer, the projector and the relay. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'refund_desk_http_request_duration_seconds',
    // Rate and errors are its _count by status_class; the route is the template (/v1/cases/:caseId), never the raw URL.
    help: 'HTTP request duration by method, route template, status code and status class',
    labelNames: ['method', 'route', 'status', 'status_class'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commands = new Histogram({
    name: 'refund_desk_command_duration_seconds',
    help: 'Command handling time (load, decide, append) by command and result',
    labelNames: ['command', 'result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly projectionLagEvents = new Gauge({
    name: 'refund_desk_projection_lag_events',
    help: 'Events in the log a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLagSeconds = new Gauge({
    name: 'refund_desk_projection_lag_seconds',
    help: 'Age of the oldest event a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionEventsApplied = new Counter({
    name: 'refund_desk_projection_events_applied_total',
    help: 'Events applied to a read model by the projector in this process',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionBatchSeconds = new Histogram({
    name: 'refund_desk_projection_batch_duration_seconds',
    help: 'Time to apply one batch of events to a read model and commit it with its checkpoint',
    labelNames: ['projection'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'refund_desk_' });
  }
}
