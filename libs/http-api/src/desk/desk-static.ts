import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the desk (Vite writes dist/desk; this file runs from
 * dist/libs/http-api/src/desk). DESK_DIR overrides it, for a desk built elsewhere.
 */
export const deskDirectory = (): string => resolve(process.env.DESK_DIR ?? join(__dirname, '..', '..', '..', '..', 'desk'));

/** Paths that are never a desk page: an unknown one there is the API's 404 problem (a missing hashed file too). */
const SERVICE_PREFIXES = ['/v1', '/docs', '/docs-json', '/health', '/metrics', '/assets'];

export const isServicePath = (path: string): boolean =>
  SERVICE_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** Hashed file names change with their content, so browsers may keep them for a year without asking. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: it must be revalidated on every load, or a deploy is missed. */
export const REVALIDATE = 'no-cache';

/**
 * Serves the desk (the single-page app in apps/desk) at `/`: its files as built, and index.html for
 * every other GET that is not the service's own (/v1, /docs, /health, /metrics), so a client route
 * such as /cases/<id> survives a reload. Without a built desk (an API-only build) nothing is added.
 */
export async function installDesk(app: NestFastifyApplication, root = deskDirectory()): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) return false;
  const assets = `${join(root, 'assets')}${sep}`;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found now: the build is fixed while the process runs, and unknown paths fall to the routes below.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('Cache-Control', path.startsWith(assets) ? IMMUTABLE : REVALIDATE);
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  const page = (request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<void> => {
    const path = request.url.split('?', 1)[0];
    // A path with a file extension is a missing file, not a page: a 404, not HTML the browser would run as a script.
    if (isServicePath(path) || /\.[a-z0-9]+$/i.test(path)) return reply.callNotFound() as unknown as FastifyReply;
    reply.header('Cache-Control', REVALIDATE);
    return reply.sendFile('index.html', root, { cacheControl: false });
  };
  fastify.get('/', page);
  fastify.get('/*', page);
  return true;
}
