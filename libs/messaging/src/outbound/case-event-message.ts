import { Message } from 'kafkajs';
import { caseIdFromStream, withoutPersonalData } from '@refund-desk/domain';
import { parseTraceparent, parseTracestate } from '@refund-desk/platform';
import { RecordedEvent } from '@refund-desk/event-store';
import { CASE_EVENT_HEADERS, CLOUDEVENTS_HEADERS, CLOUDEVENTS_SOURCE, cloudEventType } from '../topics';

/** The value of a refunds.case-events.v1 message (libs/messaging/schemas/case-event.v1.schema.json). */
export interface CaseEventMessageValue {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** Null for events outside a case stream (PolicyRevised, LegalRulesRevised). */
  readonly caseId: string | null;
  readonly streamId: string;
  readonly version: number;
  readonly position: number;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly data: Record<string, unknown>;
  readonly metadata: {
    readonly actor: string;
    readonly correlationId: string;
    readonly causationId: string | null;
    readonly customerId: string | null;
  };
}

/**
 * Metadata is passed on by allow-list. The hash chain stays home: a hash over data that held a
 * name or phone number would let anyone holding the rest of the event test guesses of them.
 */
function outboundMetadata(event: RecordedEvent): CaseEventMessageValue['metadata'] {
  const { actor, correlationId, causationId } = event.metadata;
  const customerId = event.metadata.customerId;
  return {
    actor,
    correlationId,
    causationId: causationId ?? null,
    customerId: typeof customerId === 'string' ? customerId : null,
  };
}

export function caseEventValue(event: RecordedEvent): CaseEventMessageValue {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    caseId: caseIdFromStream(event.streamId) ?? null,
    streamId: event.streamId,
    version: event.version,
    position: event.position,
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.recordedAt,
    data: withoutPersonalData(event.type, event.data),
    metadata: outboundMetadata(event),
  };
}

/**
 * The event's trace context as headers, so a consumer's work joins the trace of the request that
 * caused the event. Events recorded before trace context was kept have none; a stored value is
 * checked again rather than trusted to be well-formed.
 */
function traceHeaders(event: RecordedEvent): Record<string, string> {
  const { traceparent, tracestate } = event.metadata;
  if (typeof traceparent !== 'string' || !parseTraceparent(traceparent)) return {};
  const state = typeof tracestate === 'string' ? parseTracestate(tracestate) : undefined;
  return { [CASE_EVENT_HEADERS.traceparent]: traceparent, ...(state ? { [CASE_EVENT_HEADERS.tracestate]: state } : {}) };
}

/**
 * One event as a Kafka message: keyed by case id so a case's events share a partition and keep
 * their order (events of other streams, such as the policy's, by their stream id). The ce_*
 * headers make it a CloudEvent in the Kafka binding's binary mode (the value is its data).
 */
export function caseEventMessage(event: RecordedEvent): Message {
  const value = caseEventValue(event);
  return {
    key: value.caseId ?? event.streamId,
    value: JSON.stringify(value),
    headers: {
      [CASE_EVENT_HEADERS.eventId]: event.eventId,
      [CASE_EVENT_HEADERS.eventType]: event.type,
      [CASE_EVENT_HEADERS.schemaVersion]: String(event.schemaVersion),
      [CASE_EVENT_HEADERS.contentType]: 'application/json',
      ...traceHeaders(event),
      [CLOUDEVENTS_HEADERS.id]: event.eventId,
      [CLOUDEVENTS_HEADERS.type]: cloudEventType(event.type, event.schemaVersion),
      [CLOUDEVENTS_HEADERS.source]: CLOUDEVENTS_SOURCE,
      [CLOUDEVENTS_HEADERS.specVersion]: '1.0',
      [CLOUDEVENTS_HEADERS.time]: value.occurredAt,
      [CLOUDEVENTS_HEADERS.subject]: value.caseId ?? event.streamId,
    },
  };
}
