import { attachTraceContext, continueTrace, parseTraceparent, parseTracestate, traceContextOf } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it('reads the specification’s example traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: '01' });
    expect(parseTraceparent(Buffer.from(VALID))).toEqual(parseTraceparent(VALID));
    expect(parseTraceparent([VALID])).toEqual(parseTraceparent(VALID));
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper-case hex', VALID.toUpperCase()],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with a tail', `${VALID}-extra`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['not hex', '00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01'],
    ['repeated header', [VALID, VALID]],
    ['garbage', 'hello'],
  ])('ignores a traceparent that is %s', (_name, value) => {
    expect(parseTraceparent(value as string)).toBeUndefined();
  });

  it('accepts a later version by its leading fields', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('continues a valid trace with a new span of its own, keeping flags and tracestate', () => {
    const context = continueTrace(VALID, 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE');
    expect(context.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(context.parentSpanId).toBe('00f067aa0ba902b7');
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.spanId).not.toBe('00f067aa0ba902b7');
    expect(context.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${context.spanId}-01`);
    expect(context.tracestate).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('starts a new trace, without the caller’s tracestate, when the traceparent is malformed', () => {
    const context = continueTrace('00-not-a-trace', 'rojo=00f067aa0ba902b7');
    expect(context.parentSpanId).toBeNull();
    expect(context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(context.tracestate).toBeUndefined();
    expect(parseTraceparent(context.traceparent)).toBeDefined();
  });

  it('never produces an all-zero id, even from a random source that tries', () => {
    let calls = 0;
    const random = (size: number): Buffer => (calls++ < 2 ? Buffer.alloc(size) : Buffer.alloc(size, 0xab));
    const context = continueTrace(undefined, undefined, random);
    expect(context.spanId).toBe('abababababababab');
    expect(context.traceId).toBe('ab'.repeat(16));
  });

  it.each([
    ['a duplicated key', 'rojo=1,rojo=2'],
    ['an upper-case key', 'Rojo=1'],
    ['a member without =', 'rojo'],
    ['a value with =', 'rojo=a=b'],
    ['more than 32 members', Array.from({ length: 33 }, (_v, i) => `k${i}=v`).join(',')],
  ])('drops a tracestate with %s', (_name, value) => {
    expect(parseTracestate(value)).toBeUndefined();
  });

  it('reads multi-tenant keys and joins repeated tracestate headers', () => {
    expect(parseTracestate(['tenant@vendor=x', 'other=y'])).toBe('tenant@vendor=x,other=y');
  });

  it('keeps one context per request, on the raw request', () => {
    const raw = { headers: { traceparent: VALID } };
    const first = attachTraceContext(raw);
    expect(attachTraceContext(raw)).toBe(first);
    expect(traceContextOf({ raw })).toBe(first);
  });
});
