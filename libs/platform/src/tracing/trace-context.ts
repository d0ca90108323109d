import { pooledRandomBytes } from '../random/pooled-random-bytes';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the trace a request or message
 * belongs to, continued across HTTP, the event log and Kafka. This process records no spans of
 * its own; it keeps the trace id in its logs and in the events it appends, and hands the
 * context on, so a tracing system upstream and downstream can stitch the hops together.
 */
export interface TraceContext {
  readonly traceId: string;
  /** This process's span: the parent-id of the traceparent it sends on. */
  readonly spanId: string;
  /** The caller's span, or null when this process started the trace. */
  readonly parentSpanId: string | null;
  readonly flags: string;
  /** `00-<traceId>-<spanId>-<flags>`, to send on. */
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** What event metadata and outgoing headers carry. */
export interface TraceHeaders {
  readonly traceparent: string;
  readonly tracestate?: string;
}

const TRACEPARENT_V00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A later version must still start with these fields; what follows a dash after them is its own.
const TRACEPARENT_LATER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const TRACESTATE_KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_MEMBERS = 32;
/** Kafka header values arrive as Buffers, HTTP ones as strings (or arrays when repeated). */
export type HeaderValue = string | Buffer | readonly (string | Buffer)[] | undefined | null;

const text = (value: string | Buffer): string => (typeof value === 'string' ? value : value.toString('latin1'));

/** The caller's trace id, span id and flags, or undefined when the header is absent or malformed. */
export function parseTraceparent(value: HeaderValue): { traceId: string; parentSpanId: string; flags: string } | undefined {
  // A repeated traceparent is ambiguous: the specification says to ignore it.
  if (value === undefined || value === null || (Array.isArray(value) && value.length !== 1)) return undefined;
  const raw = text(Array.isArray(value) ? (value[0] as string | Buffer) : (value as string | Buffer)).trim();
  const match = TRACEPARENT_V00.exec(raw) ?? (raw.startsWith('00-') ? null : TRACEPARENT_LATER.exec(raw));
  if (!match) return undefined;
  const [traceId, parentSpanId, flags] = match.length === 4 ? match.slice(1, 4) : match.slice(2, 5);
  if (match.length > 4 && match[1] === 'ff') return undefined;
  if (traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return undefined;
  return { traceId, parentSpanId, flags };
}

/** The tracestate list, normalised, or undefined when absent or malformed (then it is dropped whole). */
export function parseTracestate(value: HeaderValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = Array.isArray(value) ? value.map(text).join(',') : text(value as string | Buffer);
  const members: string[] = [];
  const keys = new Set<string>();
  for (const item of raw.split(',')) {
    const member = item.trim();
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const val = member.slice(eq + 1);
    if (!TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(val) || keys.has(key)) return undefined;
    keys.add(key);
    members.push(`${key}=${val}`);
  }
  if (members.length === 0 || members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  return members.join(',');
}

const hex = (bytes: number, random: (size: number) => Buffer, zero: string): string => {
  for (;;) {
    const id = random(bytes).toString('hex');
    if (id !== zero) return id;
  }
};

/**
 * Continues the caller's trace with a new span of this process, or starts a new trace when the
 * caller sent none or a malformed one (never an error: tracing must not refuse a request).
 * A new trace is marked sampled: its id is in this process's logs, so the trace was recorded.
 */
export function continueTrace(
  traceparent: HeaderValue,
  tracestate: HeaderValue,
  random: (size: number) => Buffer = pooledRandomBytes,
): TraceContext {
  const parent = parseTraceparent(traceparent);
  const spanId = hex(8, random, ZERO_SPAN);
  if (!parent) {
    const traceId = hex(16, random, ZERO_TRACE);
    return { traceId, spanId, parentSpanId: null, flags: '01', traceparent: `00-${traceId}-${spanId}-01` };
  }
  const state = parseTracestate(tracestate);
  return {
    traceId: parent.traceId,
    spanId,
    parentSpanId: parent.parentSpanId,
    flags: parent.flags,
    traceparent: `00-${parent.traceId}-${spanId}-${parent.flags}`,
    ...(state ? { tracestate: state } : {}),
  };
}

/** The headers (or metadata fields) that carry a context on. */
export function traceHeaders(context: TraceContext): TraceHeaders {
  return context.tracestate ? { traceparent: context.traceparent, tracestate: context.tracestate } : { traceparent: context.traceparent };
}

/** The trace id of a stored traceparent, for log lines. */
export const traceIdOf = (traceparent: string | undefined): string | undefined => parseTraceparent(traceparent)?.traceId;

/** Where an HTTP request's context is kept: on the raw request, which Fastify, pino-http and Nest all see. */
export const TRACE_CONTEXT = Symbol.for('refund-desk.trace-context');

export function traceContextOf(request: object): TraceContext | undefined {
  const raw = (request as { raw?: object }).raw ?? request;
  return (raw as { [TRACE_CONTEXT]?: TraceContext })[TRACE_CONTEXT];
}

/** Reads the request's trace headers once and keeps the context on it. */
export function attachTraceContext(request: { headers: Record<string, HeaderValue> }): TraceContext {
  const existing = traceContextOf(request);
  if (existing) return existing;
  const context = continueTrace(request.headers.traceparent, request.headers.tracestate);
  (request as { [TRACE_CONTEXT]?: TraceContext })[TRACE_CONTEXT] = context;
  return context;
}
