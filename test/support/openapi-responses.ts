import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fromOpenApi30, rebaseRefs, Schema } from '@refund-desk/contracts';
import { closeObjects } from '@refund-desk/contracts/testing';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, ResponseObject>;
}

/** Headers of the contract: when a response carries one, the document must say so for that response. */
const CONTRACT_HEADERS = ['etag', 'location', 'idempotent-replayed', 'retry-after', 'x-min-position-reached', 'www-authenticate', 'x-correlation-id'];

const ROOT_ID = 'urn:refund-desk:openapi';

const mediaTypeOf = (contentType: string | null): string | null => contentType?.split(';')[0].trim().toLowerCase() ?? null;

/**
 * Checks an HTTP answer against the OpenAPI document the app serves: the operation documents the
 * status, the content type is one it names, the body (every line of NDJSON) matches the schema,
 * and every contract header present is documented for that answer. Returns what is wrong.
 */
export class OpenApiResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Array<{ pattern: RegExp; params: number; path: string; item: Record<string, Operation> }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    const components = (document.components as Json | undefined)?.schemas as Record<string, Schema> | undefined;
    const schemas = Object.fromEntries(Object.entries(components ?? {}).map(([name, schema]) => [name, closeObjects(fromOpenApi30(schema))]));
    this.ajv.addSchema({ $id: ROOT_ID, components: { schemas } });
    this.routes = Object.entries(document.paths as Record<string, Record<string, Operation>>)
      .map(([path, item]) => ({
        path,
        item,
        params: (path.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      }))
      .sort((a, b) => a.params - b.params);
  }

  check(method: string, url: string, status: number, headers: Headers, text: string): string[] {
    const path = url.split('?')[0];
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    // Swagger UI and its assets are the document's viewer, not part of the API.
    if (path === '/docs' || path === '/docs-json' || (path.startsWith('/docs/') && path !== '/docs/asyncapi.json')) return [];
    const route = this.routes.find((r) => r.pattern.test(path) && r.item[verb]);
    if (!route) {
      // An unknown route or method: the answer must still be a problem document.
      if (status !== 404) return [`${method} ${path}: not in the document, answered ${status} (only 404 is expected)`];
      return this.checkBody(`${method} ${path} (undocumented) ${status}`, { $ref: '#/components/schemas/Problem' }, 'application/problem+json', headers, text);
    }
    const operation = route.item[verb];
    const where = `${method} ${route.path} (${operation.operationId}) → ${status}`;
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    if (!response) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    const problems: string[] = [];
    const documentedHeaders = Object.keys(response.headers ?? {}).map((h) => h.toLowerCase());
    for (const name of CONTRACT_HEADERS) {
      if (headers.has(name) && !documentedHeaders.includes(name)) problems.push(`${where}: header ${name} is sent but not documented`);
    }
    if (method.toLowerCase() === 'head') return problems;
    const mediaType = mediaTypeOf(headers.get('content-type'));
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      if (text.length > 0) problems.push(`${where}: a body (${mediaType}) is sent but none is documented`);
      return problems;
    }
    if (!mediaType || !content[mediaType]) {
      problems.push(`${where}: content type ${mediaType} is not documented (documented: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    const schema = content[mediaType].schema;
    if (schema) problems.push(...this.checkBody(where, schema, mediaType, headers, text));
    return problems;
  }

  private checkBody(where: string, schema: Schema, mediaType: string, _headers: Headers, text: string): string[] {
    if (mediaType.startsWith('text/')) return [];
    const validate = this.validator(schema);
    const documents: unknown[] = [];
    try {
      if (mediaType === 'application/x-ndjson') {
        for (const line of text.split('\n')) if (line.length > 0) documents.push(JSON.parse(line));
      } else {
        documents.push(JSON.parse(text));
      }
    } catch (error) {
      return [`${where}: the ${mediaType} body does not parse: ${(error as Error).message}`];
    }
    const problems: string[] = [];
    for (const [index, body] of documents.entries()) {
      if (!validate(body)) {
        const line = mediaType === 'application/x-ndjson' ? ` line ${index + 1}` : '';
        problems.push(`${where}:${line} the body does not match the documented schema: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
        if (problems.length >= 3) break;
      }
    }
    return problems;
  }

  private validator(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      const rooted = rebaseRefs(closeObjects(fromOpenApi30(schema)) as Schema, `${ROOT_ID}#/components/schemas/`);
      validate = this.ajv.compile(rooted);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

const checkers = new Map<string, OpenApiResponseChecker>();

/** One checker per distinct document (apps started with the same modules share it). */
export function responseCheckerFor(document: Json): OpenApiResponseChecker {
  const key = JSON.stringify(document);
  let checker = checkers.get(key);
  if (!checker) {
    checker = new OpenApiResponseChecker(document);
    checkers.set(key, checker);
  }
  return checker;
}
