import { randomUUID } from 'node:crypto';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppConfig, attachTraceContext } from '@refund-desk/platform';

/** Fastify with the contract's limits: the body limit answers 413, ids follow X-Correlation-Id. */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from the proxies TRUST_PROXY names: otherwise any client
    // could pick the address its requests are limited under.
    trustProxy: config.trustProxy,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const header = req.headers['x-correlation-id'];
      const id = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
      // pino-http reads the same header, so logs and events share the id.
      req.headers['x-correlation-id'] = id;
      // Read here, before any hook or middleware, so the request log line, the command and the answer share it.
      attachTraceContext(req);
      return id;
    },
  });
}
