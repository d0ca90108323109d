/** The Kafka topics of the public contract (docs/contract.md). */
export const TOPICS = {
  refundRequests: 'refunds.requests.v1',
  refundStatus: 'payments.refund-status.v1',
  feedbackResponses: 'feedback.responses.v1',
  appeals: 'refunds.appeals.v1',
  caseEvents: 'refunds.case-events.v1',
  deadLetters: 'refunds.dlq.v1',
} as const;

export const INBOUND_TOPICS = [TOPICS.refundRequests, TOPICS.refundStatus, TOPICS.feedbackResponses, TOPICS.appeals] as const;
export type InboundTopic = (typeof INBOUND_TOPICS)[number];

export const isInboundTopic = (topic: string): topic is InboundTopic => (INBOUND_TOPICS as readonly string[]).includes(topic);

/** Headers of refunds.case-events.v1: consumers dedupe by event-id without parsing the value. */
export const CASE_EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  contentType: 'content-type',
  /** W3C trace context of the request or message that caused the event, when it was recorded with one. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/**
 * CloudEvents Kafka protocol binding (binary content mode) headers, beside the ones above: any
 * CloudEvents SDK reads a case event without knowing this service. content-type is the
 * datacontenttype; the value is the event data.
 */
export const CLOUDEVENTS_HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  specVersion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
} as const;

/** ce_source of every case event; with ce_id (the event id) it names the event uniquely. */
export const CLOUDEVENTS_SOURCE = '/refund-desk';

/** ce_type of an event: reverse-DNS prefixed, versioned by the event's schema version. */
export const cloudEventType = (type: string, schemaVersion: number): string => `dev.refund-desk.${type}.v${schemaVersion}`;

/** Headers the relay adds to a dead-lettered message; the original headers are kept beside them. */
export const DEAD_LETTER_HEADERS = {
  sourceTopic: 'x-source-topic',
  sourcePartition: 'x-source-partition',
  sourceOffset: 'x-source-offset',
  sourceTimestamp: 'x-source-timestamp',
  consumerGroup: 'x-consumer-group',
  errorType: 'x-error-type',
  errorMessage: 'x-error-message',
  /** JSON array of {field, message} for validation failures. */
  errorDetails: 'x-error-details',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;
