import { INestApplication } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attachTraceContext, Metrics } from '@refund-desk/platform';

/** The label of requests no route matched: one series for every unknown path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * What every HTTP process (the API, the projector) does around each request: the trace context
 * answered in `traceparent`, and the request counted and timed under its route template (not the
 * raw URL, whose ids would make a series per case).
 */
export function instrumentHttp(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const metrics = app.get(Metrics);
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('traceparent', attachTraceContext(request.raw as never).traceparent);
    return payload;
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode;
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions?.url ?? UNMATCHED_ROUTE,
        status: String(status),
        status_class: `${Math.floor(status / 100)}xx`,
      },
      reply.elapsedTime / 1_000,
    );
  });
}
