import fc from 'fast-check';

/**
 * A fuzzer driven by the service's own OpenAPI document: every operation, every path, query and
 * header parameter and every request body it declares. Inputs are generated from the schemas
 * (valid ones, so requests reach the domain) and then broken in the ways that once answered 500:
 * arrays for objects, NUL and unpaired surrogates, deep nesting, huge numbers, wrong types,
 * unknown fields, bad path and query parameters, bad If-Match and Idempotency-Key headers.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  enum?: unknown[];
  format?: string;
  example?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly body?: Schema;
}

export interface FuzzContext {
  /** Values that exist for path parameters (case ids, customer ids, read-model names), by parameter name. */
  readonly pathValues: Record<string, readonly string[]>;
  /** Bearer tokens to pick from; the first ones should hold every role, so requests get past the guards. */
  readonly tokens: readonly string[];
  readonly now: Date;
}

export interface FuzzRequest {
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** What was done to the input, for the report. */
  readonly mutation: string;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content['application/json']?.schema;
      operations.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body });
    }
  }
  return operations;
}

/** mulberry32: the mutations' choices come from a seed fast-check generated, so a run is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Chooser {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!], doc);
  if (schema.allOf) {
    const [first, ...rest] = schema.allOf.map((s) => resolve(s, doc));
    return Object.assign({}, first, ...rest, { allOf: undefined });
  }
  return schema;
}

/** Values valid for a schema, preferring its examples (which the DTOs' own rules accept). */
export function validValue(input: Schema, doc: OpenApiDocument, now: Date): fc.Arbitrary<unknown> {
  const schema = resolve(input, doc);
  const example = schema.example !== undefined ? [{ arbitrary: fc.constant(schema.example), weight: 4 }] : [];
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') {
        const time = fc.date({ min: new Date(now.getTime() - 400 * 86_400_000), max: now, noInvalidDate: true }).map((d) => d.toISOString());
        return fc.oneof(...example, { arbitrary: time, weight: 4 });
      }
      if (schema.pattern) return fc.oneof(...example, { arbitrary: fc.stringMatching(new RegExp(schema.pattern)), weight: 2 });
      // With an example, almost always it: a body has a dozen strings and each random one is likely refused.
      return fc.oneof(...example.map((e) => ({ ...e, weight: 30 })), { arbitrary: fc.string({ minLength: 1, maxLength: 30 }), weight: 1 });
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      return fc.oneof(
        ...example.map((e) => ({ ...e, weight: 2 })),
        { arbitrary: fc.integer({ min, max: Math.min(max, min + 20) }), weight: 4 },
        { arbitrary: fc.integer({ min, max: Math.min(max, 2 ** 31 - 1) }), weight: 1 },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = schema.items ? validValue(schema.items, doc, now) : fc.string({ maxLength: 10 });
      return fc.oneof(...example, { arbitrary: fc.array(items, { maxLength: 3 }), weight: 1 });
    }
    case 'object':
    default: {
      if (schema.properties) {
        const model = Object.fromEntries(Object.entries(schema.properties).map(([key, s]) => [key, validValue(s, doc, now)]));
        return fc.record(model, { requiredKeys: schema.required ?? [] });
      }
      const values = typeof schema.additionalProperties === 'object' ? validValue(schema.additionalProperties, doc, now) : fc.jsonValue({ maxDepth: 2 });
      return fc.oneof(...example, { arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 3 }), weight: 1 });
    }
  }
}

// Placeholders replaced in the JSON text by what JSON.stringify cannot write (exact huge
// integers, numbers that overflow a double) or should not build (deep nesting).
const RAW = '\u0001raw:';
const raw = (text: string): string => `${RAW}${text}\u0001`;
const deep = (levels: number, open: string, close: string, leaf = '1'): string => raw(`${open.repeat(levels)}${leaf}${close.repeat(levels)}`);

const HOSTILE_VALUES: ReadonlyArray<[string, () => Json]> = [
  ['empty array', () => []],
  ['array of array', () => [[]]],
  ['array of object', () => [{}]],
  ['empty object', () => ({})],
  ['null', () => null],
  ['true', () => true],
  ['zero', () => 0],
  ['negative', () => -1],
  ['fraction', () => 1.5],
  ['max double', () => 1.7976931348623157e308],
  ['2^64', () => raw('18446744073709551616')],
  ['bigint overflow', () => raw('9223372036854775808')],
  ['above safe integer', () => raw('9007199254740993')],
  ['overflowing double', () => raw('1e400')],
  ['negative zero', () => raw('-0')],
  ['empty string', () => ''],
  ['blank string', () => '   '],
  ['NUL', () => 'a\u0000b'],
  ['only NUL', () => '\u0000'],
  ['lone high surrogate', () => 'x\ud800y'],
  ['lone low surrogate', () => '\udc00'],
  ['reversed pair', () => '\ude00\ud83d'],
  ['long string', () => 'x'.repeat(5_000)],
  ['emoji and RTL', () => '😀 مرحبا 👩‍👩‍👧'],
  ['SQL', () => "'; DROP TABLE events; --"],
  ['number as string', () => '4990'],
  ['date out of range', () => '+275760-09-13T00:00:00.000Z'],
  ['year zero', () => '0000-01-01T00:00:00Z'],
  ['deep arrays 20', () => deep(20, '[', ']')],
  ['deep arrays 3000', () => deep(3_000, '[', ']')],
  ['deep objects 5000', () => deep(5_000, '{"a":', '}')],
  ['__proto__ object', () => raw('{"__proto__":{"polluted":1}}')],
  ['constructor object', () => raw('{"constructor":{"prototype":{"polluted":1}}}')],
];

function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:((?:[^"\\]|\\.)*)\\u0001"/g, (_m, text: string) => JSON.parse(`"${text}"`) as string);
}

function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutateBody(body: unknown, c: Chooser): { value: unknown; what: string } {
  const value = structuredClone(body);
  const all = paths(value);
  const path = c.pick(all);
  const where = path.join('.') || '(root)';
  const parentOf = (): [Record<string | number, unknown>, string | number] | undefined => {
    if (path.length === 0) return undefined;
    let node = value as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    return [node, path[path.length - 1]];
  };
  const target = path.length === 0 ? value : (() => {
    const [parent, key] = parentOf()!;
    return parent[key];
  })();
  const roll = c.next();
  if (roll < 0.12 && path.length > 0) {
    const [parent, key] = parentOf()!;
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return { value, what: `removed ${where}` };
  }
  if (roll < 0.22 && target !== null && typeof target === 'object' && !Array.isArray(target)) {
    const [name, field] = c.pick<[string, string]>([
      ['unknown field', 'unexpected'],
      ['NUL in a field name', 'bad\u0000name'],
      ['surrogate in a field name', 'bad\ud800name'],
      ['__proto__ field', '__proto__'],
    ]);
    (target as Record<string, unknown>)[field] = c.pick(HOSTILE_VALUES)[1]();
    return { value, what: `${name} in ${where}` };
  }
  const [name, make] = c.pick(HOSTILE_VALUES);
  if (path.length === 0) return { value: make(), what: `body replaced by ${name}` };
  const [parent, key] = parentOf()!;
  parent[key] = make();
  return { value, what: `${where} = ${name}` };
}

/** Percent-encodes what URLs can carry; an unpaired surrogate goes as its CESU-8 bytes. */
function encodeLoose(text: string): string {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (ch) => {
    if (ch.length === 2 || !/[\ud800-\udfff]/.test(ch)) return encodeURIComponent(ch);
    const code = ch.charCodeAt(0);
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  });
}

const HOSTILE_PARAMS = [
  '', ' ', '-1', '0', '1.5', '1e400', 'NaN', 'Infinity', '0x10', '9007199254740993', '9223372036854775808', '18446744073709551616',
  '2147483648', 'true', 'null', '[]', '{}', 'a\u0000b', '\u0000', 'x\ud800', '\udfff', 'x'.repeat(2_000), '../..', '%', '%zz',
  'é', '😀', "' OR 1=1 --", 'esdb:1:2', '1:2:3', '99999999999999999999:1', '2026-02-30T00:00:00Z', '10000-01-01T00:00:00Z',
];

const HOSTILE_PATH_SEGMENTS = [
  'x'.repeat(300), '%00', '%ED%A0%80', 'a%00b', '..', '%2E%2E%2F', 'a%2Fb', '%C3%A9', '%F0%9F%98%80', 'null', 'undefined', '-', '_',
  'all', '%20', 'A'.repeat(101), 'c0ffee00-0000-4000-8000-000000000001',
];

const IF_MATCH = ['"1"', '"2"', '"3"', '"5"', '*', 'W/"2"', '4', '""', '"abc"', 'abc', '"-1"', '"99999999999"', '"2147483648"', '"1", "2"', 'x'.repeat(500)];
const IDEMPOTENCY_KEYS = ['', ' ', 'x'.repeat(201), 'shared-key', 'shared-key-2', 'é', 'a b', 'key\twith\ttab'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'application/octet-stream'];
const RAW_BODIES: ReadonlyArray<[string, () => string | Buffer]> = [
  ['malformed JSON', () => '{"a":'],
  ['trailing garbage', () => '{"a":1}}'],
  ['JSON null', () => 'null'],
  ['JSON array', () => '[]'],
  ['JSON string', () => '"text"'],
  ['JSON number', () => '42'],
  ['empty', () => ''],
  ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['BOM', () => '\ufeff{}'],
  ['deep raw arrays', () => `${'['.repeat(4_000)}${']'.repeat(4_000)}`],
  ['duplicate keys', () => '{"text":"a","text":"b"}'],
];

/** An arbitrary request for one of the operations. */
export function requestArbitrary(doc: OpenApiDocument, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const operations = operationsOf(doc);
  return fc.nat({ max: operations.length - 1 }).chain((index) => {
    const op = operations[index];
    const query = op.parameters.filter((p) => p.in === 'query');
    return fc
      .record({
        body: op.body ? validValue(op.body, doc, context.now) : fc.constant(undefined),
        query: fc.tuple(...query.map((p) => fc.option(validValue(p.schema ?? { type: 'string' }, doc, context.now), { freq: 2 }))),
        seed: fc.nat(),
      })
      .map(({ body, query: queryValues, seed }) => build(op, body, queryValues, seed, context));
  });
}

function build(op: Operation, validBody: unknown, queryValues: unknown[], seed: number, context: FuzzContext): FuzzRequest {
  const c = new Chooser(prng(seed));
  const mutations: string[] = [];
  // Most requests break one thing so the rest of the input gets as far as it can.
  const mode = c.next();
  const breakPath = mode < 0.08;
  const breakQuery = mode >= 0.08 && mode < 0.25;
  const breakHeaders = mode >= 0.25 && mode < 0.35;
  const breakBody = mode >= 0.35 && mode < 0.75;

  let path = op.path;
  for (const param of op.parameters.filter((p) => p.in === 'path')) {
    const known = context.pathValues[param.name] ?? [];
    let segment = known.length > 0 && c.chance(0.9) ? encodeURIComponent(c.pick(known)) : encodeURIComponent(`unknown_${c.int(1000)}`);
    if (breakPath && c.chance(0.8)) {
      segment = c.pick(HOSTILE_PATH_SEGMENTS);
      mutations.push(`path ${param.name}=${segment.slice(0, 20)}`);
    }
    path = path.replace(`{${param.name}}`, segment);
  }

  const pairs: Array<[string, string]> = [];
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  queryParams.forEach((param, i) => {
    const value = queryValues[i];
    if (value === null || value === undefined) return;
    pairs.push([param.name, Array.isArray(value) ? value.join(',') : String(value)]);
  });
  if (breakQuery) {
    const roll = c.next();
    if (roll < 0.6 && queryParams.length > 0) {
      const param = c.pick(queryParams);
      const bad = c.pick(HOSTILE_PARAMS);
      const at = pairs.findIndex(([name]) => name === param.name);
      if (at >= 0) pairs.splice(at, 1, [param.name, bad]);
      else pairs.push([param.name, bad]);
      mutations.push(`query ${param.name}=${JSON.stringify(bad.slice(0, 20))}`);
    } else if (roll < 0.8 && queryParams.length > 0) {
      const param = c.pick(queryParams);
      pairs.push([param.name, '1'], [param.name, 'x']);
      mutations.push(`query ${param.name} repeated`);
    } else {
      pairs.push([c.pick(['unknown', 'a\u0000', '__proto__', 'constructor[prototype]', 'x'.repeat(300)]), '1']);
      mutations.push('unknown query parameter');
    }
  }
  const search = pairs.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&');

  const headers: Record<string, string> = {};
  // Mostly a token holding every role, so requests get past the guards to validation and the domain.
  const auth = c.next();
  if (auth < 0.65) headers.authorization = `Bearer ${context.tokens[0]}`;
  else if (auth < 0.93) headers.authorization = `Bearer ${c.pick(context.tokens)}`;
  else if (auth < 0.97) headers.authorization = c.pick(['Bearer not.a.jwt', 'Basic abc', 'Bearer ', `Bearer ${'x'.repeat(5_000)}`]);
  for (const param of op.parameters.filter((p) => p.in === 'header')) {
    const name = param.name.toLowerCase();
    if (name === 'if-match' && c.chance(0.3)) headers[name] = c.pick(IF_MATCH.slice(0, 6));
    if (name === 'idempotency-key' && c.chance(0.5)) headers[name] = c.chance(0.6) ? `key-${seed % 50}` : 'shared-key';
  }
  if (breakHeaders) {
    const roll = c.next();
    if (roll < 0.4) {
      headers['if-match'] = c.pick(IF_MATCH);
      mutations.push(`If-Match ${headers['if-match'].slice(0, 20)}`);
    } else if (roll < 0.7) {
      headers['idempotency-key'] = c.pick(IDEMPOTENCY_KEYS);
      mutations.push(`Idempotency-Key ${JSON.stringify(headers['idempotency-key'].slice(0, 20))}`);
    } else if (roll < 0.85) {
      headers['x-correlation-id'] = c.pick(['', 'x'.repeat(500), 'a b', 'é', '../../etc']);
      mutations.push('X-Correlation-Id');
    } else {
      headers['content-type'] = c.pick(CONTENT_TYPES);
      mutations.push(`Content-Type ${headers['content-type']}`);
    }
  }

  let body: string | Buffer | undefined;
  if (op.body || (breakBody && op.method !== 'GET')) {
    if (breakBody && c.chance(0.12)) {
      const [name, make] = c.pick(RAW_BODIES);
      body = make();
      mutations.push(`raw body: ${name}`);
    } else {
      let value = op.body ? validBody : {};
      if (breakBody) {
        const first = mutateBody(value, c);
        value = first.value;
        mutations.push(first.what);
        if (c.chance(0.2)) {
          const second = mutateBody(value, c);
          value = second.value;
          mutations.push(second.what);
        }
      }
      body = toJsonText(value);
    }
    headers['content-type'] ??= 'application/json';
  }
  return {
    operation: `${op.method} ${op.path}`,
    method: op.method,
    url: search ? `${path}?${search}` : path,
    headers,
    body,
    mutation: mutations.join('; ') || 'valid',
  };
}

export interface FuzzReport {
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly serverErrors: Array<{ request: FuzzRequest; status: number; body: string }>;
  readonly crashes: Array<{ request: FuzzRequest; error: string }>;
  readonly operations: Record<string, number>;
}

/** Sends every request (a few at a time) and counts the answers. */
export async function runFuzz(baseUrl: string, requests: readonly FuzzRequest[], concurrency = 8, timeoutMs = 30_000): Promise<FuzzReport> {
  const byStatus: Record<string, number> = {};
  const operations: Record<string, number> = {};
  const serverErrors: FuzzReport['serverErrors'] = [];
  const crashes: FuzzReport['crashes'] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++];
      operations[request.operation] = (operations[request.operation] ?? 0) + 1;
      try {
        const response = await fetch(`${baseUrl}${request.url}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
        if (response.status >= 500) serverErrors.push({ request, status: response.status, body: text.slice(0, 500) });
      } catch (error) {
        byStatus.crash = (byStatus.crash ?? 0) + 1;
        crashes.push({ request, error: String((error as Error)?.message ?? error) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: requests.length, byStatus, serverErrors, crashes, operations };
}

export function describeReport(label: string, seed: number, report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const fivexx = Object.entries(report.byStatus).filter(([s]) => s.startsWith('5')).reduce((n, [, c]) => n + c, 0);
  const lines = [
    `fuzz ${label}: seed ${seed} (FUZZ_SEED=${seed} repeats it), ${report.requests} requests over ${Object.keys(report.operations).length} operations`,
    `  by status: ${statuses}; 5xx: ${fivexx}; crashes: ${report.crashes.length}`,
  ];
  for (const failure of [...report.serverErrors.slice(0, 10), ...report.crashes.slice(0, 10)]) {
    const { request } = failure;
    lines.push(`  ${'status' in failure ? failure.status : 'CRASH'} ${request.method} ${request.url.slice(0, 200)} [${request.mutation}] ${'body' in failure ? failure.body : failure.error}`);
  }
  return lines.join('\n');
}
