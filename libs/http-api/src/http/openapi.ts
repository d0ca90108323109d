import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DOMAIN_SCHEMAS, fromOpenApi30, Schema, toOpenApi30 } from '@refund-desk/contracts';
import { HEADERS, headerRef } from '@refund-desk/http-process';
import { HTTP_SCHEMAS } from './openapi-schemas';
export { PROBLEM_TYPES_DESCRIPTION } from './openapi-problem-types';
// Controllers document their problem answers from here, with the decorators every HTTP process shares.
export { ApiBodyProblems, ApiCommonProblems, ApiProblems } from '@refund-desk/http-process';

const HEADER_COMPONENTS = {
  [HEADERS.correlationId]: {
    description: 'The X-Correlation-Id the request sent (letters, digits, . _ : -, up to 100), or a new id; events recorded by the request carry it as correlationId',
    schema: { type: 'string' },
  },
  [HEADERS.etag]: { description: 'The version of the case (or policy), quoted: send it back in If-Match', schema: { type: 'string', example: '"3"' } },
  [HEADERS.location]: { description: 'The URL of the case', schema: { type: 'string', example: '/v1/cases/4b1f0a9e8c2d4e6f' } },
  [HEADERS.idempotentReplayed]: {
    description: 'true when the answer is the first answer to the same Idempotency-Key and body (nothing new was created)',
    schema: { type: 'string', enum: ['true'] },
  },
  [HEADERS.retryAfter]: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
  [HEADERS.wwwAuthenticate]: { description: 'Bearer', schema: { type: 'string' } },
  [HEADERS.minPositionReached]: {
    description: 'Only when minPosition was sent: true when the read model had applied that position, false when the wait (5 s) ran out first',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
};


export const etagHeader = () => ({ [HEADERS.etag]: headerRef(HEADERS.etag) });
export const minPositionHeader = () => ({ [HEADERS.minPositionReached]: headerRef(HEADERS.minPositionReached) });
export const createdHeaders = () => ({
  [HEADERS.etag]: headerRef(HEADERS.etag),
  [HEADERS.location]: headerRef(HEADERS.location),
  [HEADERS.idempotentReplayed]: headerRef(HEADERS.idempotentReplayed),
});

const TAGS: ReadonlyArray<[string, string]> = [
  ['cases', 'Refund cases: log a request, evaluate it, escalate, decide, tell the customer, track the money, follow up, close. Every command appends events and answers the case version (ETag) and the global position.'],
  ['queues', 'Work queues served from read models: escalated cases for managers, decided cases due for a follow-up.'],
  ['customers', "A customer's timeline across cases, and erasure of their personal data (crypto-shredding)."],
  ['analytics', 'Trends and insights for the policy owner, from the trend read model.'],
  ['policy', 'The versioned return policy.'],
  ['audit', 'Read-only routes for auditors: events with metadata and hashes, state as of a time or version, chain verification, the NDJSON export.'],
  ['admin', 'Read-model rebuilds inside the running service.'],
  ['operations', 'Health, metrics and the contract documents; no token needed.'],
  ['sign-in', 'How the desk signs in: its OpenID Connect settings, and development tokens outside production; no token needed.'],
];

/** Operations anyone may call (no bearer token): documented with an empty security requirement. */
const PUBLIC_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics', '/docs/asyncapi.json', '/v1/desk/config', '/v1/dev/token']);

function allSchemas(): Record<string, Schema> {
  return Object.fromEntries(Object.entries({ ...DOMAIN_SCHEMAS, ...HTTP_SCHEMAS }).map(([name, schema]) => [name, toOpenApi30(schema)]));
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('refund-desk')
    .setDescription(
      'Refund requests outside the return policy: log, evaluate against a versioned policy, escalate, decide, ' +
        'tell the customer, track the money, follow up. Errors are application/problem+json (RFC 9457). ' +
        'Every response carries X-Correlation-Id. The Kafka side is described by the AsyncAPI document at /docs/asyncapi.json.',
    )
    .setVersion('1')
    .setLicense('UNLICENSED', 'https://refund-desk.dev/license')
    .addServer('/', 'This service: the host serving this document (npm start: http://localhost:3000)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT with sub and roles: HS256 signed with AUTH_JWT_SECRET, or RS256/ES256 from the OpenID Connect provider (OIDC_ISSUER)' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  return finishDocument(document);
}

/** Cross-cutting parts no decorator expresses: shared schemas and headers, public operations. */
function finishDocument(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...(document.components.schemas as object), ...(allSchemas() as object) } as never;
  pruneUnusedSchemas(document);
  document.components.headers = { ...(document.components.headers as object), ...(HEADER_COMPONENTS as object) } as never;
  document.components.parameters = {
    ...(document.components.parameters as object),
    [HEADERS.correlationId]: {
      name: HEADERS.correlationId,
      in: 'header',
      required: false,
      description: 'Your id for this request (1-100 letters, digits, . _ : -): echoed in the answer and recorded as the correlationId of its events. Any other value, or none, is replaced by a new id',
      schema: { type: 'string' },
    },
  } as never;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item) as Array<{ responses?: Record<string, { headers?: Record<string, unknown> }>; security?: unknown; parameters?: unknown[] }>) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      operation.parameters = [...(operation.parameters ?? []), { $ref: `#/components/parameters/${HEADERS.correlationId}` }];
      if (PUBLIC_PATHS.has(path)) operation.security = [];
      for (const response of Object.values(operation.responses)) {
        response.headers = { [HEADERS.correlationId]: headerRef(HEADERS.correlationId), ...response.headers };
      }
    }
  }
  return document;
}

/** Shared schemas only the AsyncAPI document uses (PolicyRules, ...) are left out here. */
function pruneUnusedSchemas(document: OpenAPIObject): void {
  const schemas = document.components!.schemas as Record<string, unknown>;
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(document.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/** The document as JSON Schema dialect for validators (nullable → null types). */
export const jsonSchemaOf = (schema: Schema): Schema => fromOpenApi30(schema);
