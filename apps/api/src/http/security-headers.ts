import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Swagger UI page: its scripts and stylesheet are files under /docs, but the page has inline
 * <style> blocks and style attributes, shows data: images, and fetches /docs-json and, on "Try it
 * out", the API itself. Nothing else: no other origin, no plugins, not framed.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Everything else is JSON or text: should a browser ever render one, it may load and run nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const pathOf = (request: FastifyRequest): string => request.url.split('?', 1)[0];

/**
 * Headers on every response, errors and early refusals included (onSend runs for all of them):
 * `nosniff`, so a browser never runs a JSON or text answer as a script or page; a CSP; and
 * `Cache-Control: no-store` on /v1, whose answers carry personal data (cases, audit, timelines,
 * queues) or depend on the caller's token, and must not be kept by browsers or shared caches.
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const path = pathOf(request);
    reply.header('X-Content-Type-Options', 'nosniff');
    const docs = path === '/docs' || path.startsWith('/docs/');
    reply.header('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
    if (path === '/v1' || path.startsWith('/v1/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
