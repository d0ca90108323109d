import { Principal, TraceHeaders } from '@refund-desk/platform';

/** Who asks, why, and (from If-Match) which version of the case they saw. */
export interface CommandContext {
  readonly actor: Principal;
  readonly correlationId: string;
  /** The request or message that caused the command. */
  readonly causationId: string | null;
  readonly expectedVersion?: number;
  /** The W3C trace context the command runs in; kept in the metadata of the events it records. */
  readonly trace?: TraceHeaders;
}

/** Metadata fields for the trace context: absent, not null, without one, so older events hash as before. */
export const traceMetadata = (context: Pick<CommandContext, 'trace'>): { traceparent?: string; tracestate?: string } =>
  context.trace ? { ...context.trace } : {};
