import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { instrumentHttp } from '@refund-desk/http-process';
import { AppConfig, createValidationPipe } from '@refund-desk/platform';
import { buildOpenApiDocument } from './http/openapi';
import { installRequestLimits, requestLimitsOf } from './http/rate-limit/request-limits';
import { SlidingWindowStore } from './http/rate-limit/sliding-window.store';
import { installDesk } from './desk/desk-static';
import { installSecurityHeaders, originOf } from './http/security-headers';

export { buildOpenApiDocument } from './http/openapi';

/** Everything an HTTP process needs after creation: validation, errors, docs, logging, metrics, tracing. */
export async function configureHttpApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // The desk signs in against the OpenID provider (OIDC_ISSUER) in production, so its pages may connect there.
  installSecurityHeaders(fastify, { deskConnectOrigins: originOf(config.oidc?.issuer) });
  installRequestLimits(fastify, app.get(SlidingWindowStore), requestLimitsOf(config));
  // The API speaks JSON only: a text body is answered 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  // A client that stops reading a response (an abandoned export) must not hold shutdown for the keep-alive timeout.
  fastify.addHook('preClose', (done: () => void) => {
    const timer = setTimeout(() => fastify.server.closeAllConnections(), config.SHUTDOWN_GRACE_MS);
    timer.unref();
    fastify.server.once('close', () => clearTimeout(timer));
    done();
  });
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('X-Correlation-Id', request.id);
    return payload;
  });
  instrumentHttp(app);
  await installDesk(app);
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
