import { ArgumentMetadata } from '@nestjs/common';
import { AppealDto, FollowUpDto, LogRequestDto, RefundExecutionDto } from '@refund-desk/case-handling';
import { CaseIdPipe, createValidationPipe, FieldError, RequestValidationError } from '@refund-desk/platform';
import { SchemaName, schemaErrors } from '../testing';
import { InboundTopic, TOPICS } from '../topics';
import { validateInbound } from './inbound-messages';

type Json = Record<string, unknown>;

const validRequest = (): Json => ({
  messageId: 'msg-0001',
  source: 'storefront',
  customer: { id: 'cus_81', name: 'Maria Rossi', email: 'maria@example.com', phone: '+39 055 0000', locale: 'it' },
  order: { id: 'ord_5521', purchasedAt: '2026-09-01T10:00:00Z', country: 'IT', paymentMethod: 'card' },
  product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances', condition: 'used' },
  amount: { minor: 4990, currency: 'EUR' },
  reason: { code: 'defective', description: 'Stopped heating after 40 days' },
  requestedResolution: 'refund',
  channel: 'email',
  evidence: [{ kind: 'receipt', uri: 'https://files.example.com/r/5521.pdf' }],
});
const validStatus = (): Json => ({
  messageId: 'msg-0002',
  caseId: 'c0ffee00-0000-4000-8000-000000000001',
  status: 'failed',
  method: 'card',
  amount: { minor: 4990, currency: 'EUR' },
  reference: 'pay_7731',
  failureReason: 'Card expired',
});
const validFeedback = (): Json => ({ messageId: 'msg-0003', caseId: 'case_1', satisfaction: 4, comment: 'Quick and fair', channel: 'email' });
const validAppeal = (): Json => ({
  messageId: 'msg-0004',
  caseId: 'case_1',
  source: 'crm',
  reason: 'The kettle was faulty from the start',
  evidence: [{ kind: 'video', uri: 'https://files.example.com/v/81.mp4' }],
});

const TOPIC_SCHEMAS: Record<InboundTopic, [SchemaName, () => Json]> = {
  [TOPICS.refundRequests]: ['refund-request.v1', validRequest],
  [TOPICS.refundStatus]: ['refund-status.v1', validStatus],
  [TOPICS.feedbackResponses]: ['feedback-response.v1', validFeedback],
  [TOPICS.appeals]: ['appeal.v1', validAppeal],
};

const setAt = (root: Json, path: readonly string[], mutate: (parent: Json, key: string) => void): Json => {
  const copy = structuredClone(root);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  mutate(node, path[path.length - 1]);
  return copy;
};

/** Every leaf path of a message, arrays included (their first element). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Json).flatMap(([key, child]) => [...(typeof child === 'object' ? [[...prefix, key]] : []), ...leafPaths(child, [...prefix, key])]);
  }
  return [prefix];
}

/** Broken copies of a valid message: each field removed, mistyped, emptied, oversized; unknown fields added. */
function mutations(valid: Json): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  for (const path of leafPaths(valid)) {
    const name = path.join('.');
    out.push([`${name} removed`, setAt(valid, path, (parent, key) => (Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key]))]);
    out.push([`${name} mistyped`, setAt(valid, path, (parent, key) => (parent[key] = typeof parent[key] === 'string' ? 12_345 : typeof parent[key] === 'number' ? 'five' : 'text'))]);
    out.push([`${name} empty`, setAt(valid, path, (parent, key) => (parent[key] = typeof parent[key] === 'number' ? 0 : ''))]);
    out.push([`${name} oversized`, setAt(valid, path, (parent, key) => (parent[key] = typeof parent[key] === 'number' ? 2 ** 60 : 'x'.repeat(5_000)))]);
    out.push([`${name} fractional`, setAt(valid, path, (parent, key) => (parent[key] = typeof parent[key] === 'number' ? 1.5 : parent[key]))]);
  }
  for (const path of [[], ...leafPaths(valid).filter((p) => typeof p.reduce<unknown>((n, k) => (n as Json)[k], valid) === 'object')]) {
    out.push([`unknown field in ${path.join('.') || 'the message'}`, path.length === 0 ? { ...valid, extra: 1 } : setAt(valid, path, (parent, key) => (parent[key] = Array.isArray(parent[key]) ? parent[key] : { ...(parent[key] as Json), extra: 1 }))]);
  }
  return out;
}

const extraSamples: Record<InboundTopic, Array<[string, Json]>> = {
  [TOPICS.refundRequests]: [
    ['without optional contacts and evidence', (({ evidence: _e, ...rest }) => ({ ...rest, customer: { id: 'c', name: 'N', locale: 'en' } }))(validRequest())],
    ['a denial as the resolution asked for', { ...validRequest(), requestedResolution: 'denied' }],
    ['an unknown channel', { ...validRequest(), channel: 'pigeon' }],
    ['51 pieces of evidence', { ...validRequest(), evidence: Array.from({ length: 51 }, () => ({ kind: 'photo', uri: 'https://x.example/p.jpg' })) }],
    ['evidence that is not a link', { ...validRequest(), evidence: [{ kind: 'photo', uri: 'ftp://x.example/p.jpg' }] }],
    ['an unknown country', { ...validRequest(), order: { ...(validRequest().order as Json), country: 'XX' } }],
    ['a messageId with spaces', { ...validRequest(), messageId: 'msg 1' }],
    ['an upper-case source', { ...validRequest(), source: 'CRM' }],
  ],
  [TOPICS.refundStatus]: [
    ['failed without a reason', (({ failureReason: _f, ...rest }) => rest)(validStatus())],
    ['issued without a reason', (({ failureReason: _f, ...rest }) => ({ ...rest, status: 'issued' }))(validStatus())],
    ['an unknown status', { ...validStatus(), status: 'pending' }],
    ['a case id with a slash', { ...validStatus(), caseId: 'a/b' }],
  ],
  [TOPICS.feedbackResponses]: [
    ['satisfaction 6', { ...validFeedback(), satisfaction: 6 }],
    ['satisfaction 1 without a comment', (({ comment: _c, ...rest }) => ({ ...rest, satisfaction: 1 }))(validFeedback())],
  ],
  [TOPICS.appeals]: [
    ['without evidence', (({ evidence: _e, ...rest }) => rest)(validAppeal())],
    ['51 pieces of evidence', { ...validAppeal(), evidence: Array.from({ length: 51 }, () => ({ kind: 'photo', uri: 'https://x.example/p.jpg' })) }],
    ['an upper-case source', { ...validAppeal(), source: 'CRM' }],
    ['a verdict in place of the grounds', (({ reason: _r, ...rest }) => ({ ...rest, verdict: 'overturned' }))(validAppeal())],
  ],
};

describe.each(Object.keys(TOPIC_SCHEMAS) as InboundTopic[])('messages of %s', (topic) => {
  const [schema, valid] = TOPIC_SCHEMAS[topic];
  const samples: Array<[string, Json]> = [['the valid example', valid()], ...extraSamples[topic], ...mutations(valid())];

  it('are accepted by the relay exactly when the published JSON Schema accepts them', async () => {
    const disagreements: string[] = [];
    let refused = 0;
    for (const [name, sample] of samples) {
      const bySchema = schemaErrors(schema, sample) === null;
      const byDto = (await validateInbound(topic, sample)).valid;
      if (bySchema !== byDto) disagreements.push(`${name}: schema ${bySchema ? 'accepts' : 'refuses'}, DTO ${byDto ? 'accepts' : 'refuses'}`);
      if (!byDto) refused += 1;
    }
    expect(disagreements).toEqual([]);
    // The corpus must exercise both answers, mostly refusals.
    expect(refused).toBeGreaterThan(samples.length / 2);
    expect(refused).toBeLessThan(samples.length);
  });

  it('refuse a value that is not a JSON object', async () => {
    for (const value of [null, 42, 'text', [valid()]]) expect((await validateInbound(topic, value)).valid).toBe(false);
  });
});

describe('the JSON Schemas are stricter than the DTOs on purpose in a few places', () => {
  it.each([
    ['a lower-case currency', { ...validRequest(), amount: { minor: 1, currency: 'eur' } }],
    ['a date without a time', { ...validRequest(), order: { ...(validRequest().order as Json), purchasedAt: '2026-09-01' } }],
    ['null for an optional field', { ...validRequest(), evidence: null }],
  ])('%s: the relay accepts it, the schema asks for the canonical form', async (_name, sample) => {
    expect((await validateInbound(TOPICS.refundRequests, sample)).valid).toBe(true);
    expect(schemaErrors('refund-request.v1', sample)).not.toBeNull();
  });
});

describe('validation is the HTTP validation', () => {
  it('accepts exactly the case ids the HTTP paths accept', async () => {
    const pipe = new CaseIdPipe();
    for (const caseId of ['case_1', 'c0ffee00-0000-4000-8000-000000000001', 'A', 'x'.repeat(100), 'x'.repeat(101), 'a/b', 'a b', 'ä', '', 'a.b']) {
      let byPath = true;
      try {
        pipe.transform(caseId);
      } catch {
        byPath = false;
      }
      expect([caseId, (await validateInbound(TOPICS.feedbackResponses, { ...validFeedback(), caseId })).valid]).toEqual([caseId, byPath]);
    }
  });

  const pipe = createValidationPipe();
  const httpErrors = async (metatype: ArgumentMetadata['metatype'], body: unknown): Promise<readonly FieldError[]> => {
    try {
      await pipe.transform(body, { type: 'body', metatype, data: '' });
      return [];
    } catch (error) {
      if (error instanceof RequestValidationError) return error.errors;
      throw error;
    }
  };
  const cases: Array<[InboundTopic, ArgumentMetadata['metatype'], Json, string[]]> = [
    [TOPICS.refundRequests, LogRequestDto, validRequest(), ['messageId', 'source']],
    [TOPICS.refundStatus, RefundExecutionDto, validStatus(), ['messageId', 'caseId']],
    [TOPICS.feedbackResponses, FollowUpDto, validFeedback(), ['messageId', 'caseId']],
    [TOPICS.appeals, AppealDto, validAppeal(), ['messageId', 'caseId', 'source']],
  ];

  it.each(cases)('%s: the same field errors as the HTTP body, for every broken copy', async (topic, metatype, valid, envelope) => {
    for (const [, sample] of mutations(valid)) {
      const body = Object.fromEntries(Object.entries(sample).filter(([key]) => !envelope.includes(key)));
      const message = { ...body, ...Object.fromEntries(envelope.map((key) => [key, valid[key]])) };
      const result = await validateInbound(topic, message);
      expect(result.valid ? [] : result.errors).toEqual(await httpErrors(metatype, body));
    }
  });
});
