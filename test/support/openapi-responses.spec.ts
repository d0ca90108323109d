import { OpenApiResponseChecker } from './openapi-responses';

const document = {
  paths: {
    '/v1/things/{id}': {
      get: {
        operationId: 'getThing',
        responses: {
          '200': {
            headers: { ETag: {} },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '404': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
    },
    '/v1/things/export': {
      get: { operationId: 'export', responses: { '200': { content: { 'application/x-ndjson': { schema: { $ref: '#/components/schemas/Thing' } } } } } },
    },
  },
  components: {
    schemas: {
      Thing: { type: 'object', required: ['id', 'note'], properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } } },
      Problem: { type: 'object', required: ['status'], properties: { status: { type: 'integer' }, detail: { type: 'string' } } },
    },
  },
};

const json = (extra: Record<string, string> = {}) => new Headers({ 'content-type': 'application/json; charset=utf-8', ...extra });
const problemJson = () => new Headers({ 'content-type': 'application/problem+json' });

describe('OpenApiResponseChecker', () => {
  const checker = new OpenApiResponseChecker(document);

  it('accepts an answer the document describes, nulls included', () => {
    expect(checker.check('GET', '/v1/things/t1?x=1', 200, json({ etag: '"1"' }), JSON.stringify({ id: 't1', note: null }))).toEqual([]);
    expect(checker.check('GET', '/v1/things/export', 200, new Headers({ 'content-type': 'application/x-ndjson' }), '{"id":"a","note":"x"}\n{"id":"b","note":null}\n')).toEqual([]);
  });

  it('refuses an undocumented status, content type, header or field, and a body off its schema', () => {
    expect(checker.check('GET', '/v1/things/t1', 500, problemJson(), '{"status":500}')[0]).toContain('status not documented');
    expect(checker.check('GET', '/v1/things/t1', 200, new Headers({ 'content-type': 'text/html' }), '<p>')[0]).toContain('content type text/html');
    expect(checker.check('GET', '/v1/things/t1', 200, json({ 'retry-after': '5' }), '{"id":"t1","note":null}')[0]).toContain('retry-after');
    expect(checker.check('GET', '/v1/things/t1', 200, json(), '{"id":"t1","note":null,"extra":1}')[0]).toContain('additional properties');
    expect(checker.check('GET', '/v1/things/t1', 200, json(), '{"id":7,"note":null}')[0]).toContain('must be string');
    expect(checker.check('GET', '/v1/things/export', 200, new Headers({ 'content-type': 'application/x-ndjson' }), '{"id":"a","note":"x"}\n{"id":1}\n')[0]).toContain('line 2');
  });

  it('expects a problem 404 from a route the document does not have', () => {
    expect(checker.check('GET', '/v1/nowhere', 404, problemJson(), '{"status":404}')).toEqual([]);
    expect(checker.check('DELETE', '/v1/things/t1', 200, json(), '{}')[0]).toContain('not in the document');
  });
});
