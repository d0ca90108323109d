import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isServicePath } from '../desk/desk-static';

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

/**
 * The desk (apps/desk, served at `/`): its scripts, styles and images are files of its own, with no
 * inline script; it talks to this service and, for OpenID Connect sign-in, to the identity
 * provider (discovery and token endpoints), whose origin is the only other one allowed.
 * Inline styles stay refused too: the charts and React set styles through the DOM, which CSP allows.
 */
export function deskCsp(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The origin of a URL, or nothing when it is not one (an unset or malformed setting must not break every page). */
export function originOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}

/** Everything else is JSON or text: should a browser ever render one, it may load and run nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const pathOf = (request: FastifyRequest): string => request.url.split('?', 1)[0];

/**
 * Headers on every response, errors and early refusals included (onSend runs for all of them):
 * `nosniff`, so a browser never runs a JSON or text answer as a script or page; a CSP (the desk's
 * pages and files get the desk's); and
 * `Cache-Control: no-store` on /v1, whose answers carry personal data (cases, audit, timelines,
 * queues) or depend on the caller's token, and must not be kept by browsers or shared caches.
 */
export function installSecurityHeaders(fastify: FastifyInstance, options: { deskConnectOrigins?: readonly string[] } = {}): void {
  const desk = deskCsp(options.deskConnectOrigins);
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const path = pathOf(request);
    reply.header('X-Content-Type-Options', 'nosniff');
    const docs = path === '/docs' || path.startsWith('/docs/');
    // The desk's CSP goes only on its pages (HTML outside the service's paths); a 404 problem stays locked down.
    // A 304 revalidating index.html carries no content type, and a browser merges its headers into the
    // cached page: it must carry the desk's CSP too, or a reload runs the page under default-src 'none'.
    const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html') || reply.statusCode === 304;
    const deskPage = !docs && !isServicePath(path) && html;
    reply.header('Content-Security-Policy', docs ? DOCS_CSP : deskPage ? desk : API_CSP);
    if (path === '/v1' || path.startsWith('/v1/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
