import {
  DOMAIN_SCHEMAS,
  EVENT_DESCRIPTIONS,
  EVENT_TYPES,
  EventType,
  outboundEventDataSchema,
  Schema,
} from '@refund-desk/contracts';
import appealSchema from '../schemas/appeal.v1.schema.json';
import caseEventSchema from '../schemas/case-event.v1.schema.json';
import feedbackResponseSchema from '../schemas/feedback-response.v1.schema.json';
import refundRequestSchema from '../schemas/refund-request.v1.schema.json';
import refundStatusSchema from '../schemas/refund-status.v1.schema.json';
import { CASE_EVENT_HEADERS, CLOUDEVENTS_HEADERS, CLOUDEVENTS_SOURCE, DEAD_LETTER_HEADERS, TOPICS } from './topics';

/** A published JSON Schema file as an AsyncAPI schema: its own $schema and $id stay in the file. */
function embedded(file: Record<string, unknown>): Schema {
  const { $schema: _schema, $id: _id, ...schema } = file;
  return schema;
}

const ENVELOPE = embedded(caseEventSchema as Record<string, unknown>);

/** The payload of one event type on refunds.case-events.v1: the envelope with that type's data. */
export function caseEventPayloadSchema(type: EventType): Schema {
  const properties = ENVELOPE.properties as Record<string, Schema>;
  return {
    type: 'object',
    title: `${type} on ${TOPICS.caseEvents}`,
    description: EVENT_DESCRIPTIONS[type],
    required: ENVELOPE.required,
    properties: {
      ...properties,
      type: { type: 'string', const: type },
      caseId: type === 'PolicyRevised' || type === 'LegalRulesRevised' ? { type: 'null' } : { type: 'string' },
      data: outboundEventDataSchema(type),
    },
  };
}

const header = (description: string, extra: Record<string, unknown> = {}): Schema => ({ type: 'string', description, ...extra });

const CASE_EVENT_MESSAGE_HEADERS: Schema = {
  type: 'object',
  // Trace context travels only with events recorded in a trace.
  required: [
    ...Object.values(CASE_EVENT_HEADERS).filter((name) => name !== CASE_EVENT_HEADERS.traceparent && name !== CASE_EVENT_HEADERS.tracestate),
    ...Object.values(CLOUDEVENTS_HEADERS),
  ],
  properties: {
    [CASE_EVENT_HEADERS.eventId]: header('The event id (a UUID): deduplicate on it, delivery is at-least-once', { format: 'uuid' }),
    [CASE_EVENT_HEADERS.eventType]: header('The event type, e.g. Decided'),
    [CASE_EVENT_HEADERS.schemaVersion]: header('Schema version of the event data', { pattern: '^[1-9][0-9]*$' }),
    [CASE_EVENT_HEADERS.contentType]: header('application/json (CloudEvents: the datacontenttype)', { const: 'application/json' }),
    [CASE_EVENT_HEADERS.traceparent]: header('W3C trace context of the request or message that recorded the event; absent when it had none', {
      pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    }),
    [CASE_EVENT_HEADERS.tracestate]: header('W3C tracestate that came with the traceparent, when there was one'),
    [CLOUDEVENTS_HEADERS.id]: header('CloudEvents id: the event id', { format: 'uuid' }),
    [CLOUDEVENTS_HEADERS.type]: header('CloudEvents type: dev.refund-desk.<event type>.v<schema version>', { pattern: '^dev\\.refund-desk\\.[A-Za-z]+\\.v[1-9][0-9]*$', example: 'dev.refund-desk.Decided.v1' }),
    [CLOUDEVENTS_HEADERS.source]: header('CloudEvents source: the service', { const: CLOUDEVENTS_SOURCE }),
    [CLOUDEVENTS_HEADERS.specVersion]: header('CloudEvents spec version', { const: '1.0' }),
    [CLOUDEVENTS_HEADERS.time]: header('CloudEvents time: when the event occurred (occurredAt)', { format: 'date-time' }),
    [CLOUDEVENTS_HEADERS.subject]: header('CloudEvents subject: the case id (the stream id for events outside a case)'),
  },
};

const DEAD_LETTER_MESSAGE_HEADERS: Schema = {
  type: 'object',
  description: 'The headers of the original message are kept beside these.',
  required: Object.values(DEAD_LETTER_HEADERS).filter((name) => name !== DEAD_LETTER_HEADERS.errorDetails),
  properties: {
    [DEAD_LETTER_HEADERS.sourceTopic]: header('The topic the message came from'),
    [DEAD_LETTER_HEADERS.sourcePartition]: header('Its partition'),
    [DEAD_LETTER_HEADERS.sourceOffset]: header('Its offset'),
    [DEAD_LETTER_HEADERS.sourceTimestamp]: header('Its timestamp (ms since the epoch)'),
    [DEAD_LETTER_HEADERS.consumerGroup]: header('The consumer group that refused it'),
    [DEAD_LETTER_HEADERS.errorType]: header(
      'Why: malformed (no value, not JSON), validation (see x-error-details), a domain refusal (invalid_command, illegal_transition, ' +
        'insufficient_authority, below_legal_floor, separation_of_duties, case_not_found), a contradiction with an earlier message (idempotency_key_reused, event_id_conflict, ' +
        'version_mismatch), or unexpected (kept failing for another reason). See docs/contract.md.',
    ),
    [DEAD_LETTER_HEADERS.errorMessage]: header('What went wrong, for a person (at most 2000 characters)'),
    [DEAD_LETTER_HEADERS.errorDetails]: header('With validation: a JSON array of {field, message}'),
    [DEAD_LETTER_HEADERS.deadLetteredAt]: header('When it was dead-lettered', { format: 'date-time' }),
  },
};

const inboundMessage = (name: string, title: string, payload: string, key: string, summary: string) => ({
  name,
  title,
  summary,
  contentType: 'application/json',
  payload: { $ref: `#/components/schemas/${payload}` },
  bindings: { kafka: { key: { type: 'string', description: key }, bindingVersion: '0.5.0' } },
});

/** Ids of the AsyncAPI messages of refunds.case-events.v1, one per event type. */
const eventMessageId = (type: EventType): string => `${type}Event`;

/**
 * The AsyncAPI 3 document of the Kafka side: the four inbound topics, the case-event topic with
 * one message (and payload schema) per event type, and the dead-letter topic. Built from the
 * published JSON Schemas and from the event schemas the domain's types check.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const eventMessages = Object.fromEntries(
    EVENT_TYPES.map((type) => [
      eventMessageId(type),
      {
        name: type,
        title: type,
        summary: EVENT_DESCRIPTIONS[type],
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/CaseEventHeaders' },
        payload: { $ref: `#/components/schemas/${type}Message` },
        bindings: {
          kafka: {
            key: { type: 'string', description: 'The case id (the stream id for PolicyRevised and LegalRulesRevised): one case, one partition, in order' },
            bindingVersion: '0.5.0',
          },
        },
      },
    ]),
  );
  const ref = (path: string) => ({ $ref: path });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'refund-desk Kafka topics',
      version: '1',
      description:
        'What refund-desk consumes and publishes (docs/contract.md). Inbound messages are applied through the same commands as the ' +
        'HTTP API; a message delivered twice has effect once (messageId); a message that can never be applied goes to ' +
        `${TOPICS.deadLetters} and never stops the consumer. ${TOPICS.caseEvents} carries every event of the log without personal ` +
        'data, at least once, in order per case, with CloudEvents Kafka binding headers (binary content mode).',
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: 'localhost:9092', protocol: 'kafka', description: 'The brokers of KAFKA_BROKERS' },
    },
    channels: {
      refundRequests: {
        address: TOPICS.refundRequests,
        description: 'Refund requests from the storefront and the CRM; key: the order id.',
        messages: { refundRequest: ref('#/components/messages/RefundRequest') },
      },
      refundStatus: {
        address: TOPICS.refundStatus,
        description: 'Where the money of a refund is, from the payment service; key: the case id.',
        messages: { refundStatus: ref('#/components/messages/RefundStatus') },
      },
      feedbackResponses: {
        address: TOPICS.feedbackResponses,
        description: "Customers' answers from the survey tool; key: the case id.",
        messages: { feedbackResponse: ref('#/components/messages/FeedbackResponse') },
      },
      appeals: {
        address: TOPICS.appeals,
        description: "Customers' appeals against a denial or partial outcome, from the CRM or the customer portal; key: the case id.",
        messages: { appeal: ref('#/components/messages/Appeal') },
      },
      caseEvents: {
        address: TOPICS.caseEvents,
        description: 'Every event of the log, personal data left out; key: the case id. One message per event type below.',
        messages: Object.fromEntries(EVENT_TYPES.map((type) => [eventMessageId(type), ref(`#/components/messages/${eventMessageId(type)}`)])),
      },
      deadLetters: {
        address: TOPICS.deadLetters,
        description: 'Inbound messages that could not be applied, unchanged, with headers saying why and from where.',
        messages: { deadLetter: ref('#/components/messages/DeadLetter') },
      },
    },
    operations: {
      receiveRefundRequests: {
        action: 'receive',
        channel: ref('#/channels/refundRequests'),
        summary: 'Log each request (RequestLogged), as POST /v1/cases would',
        messages: [ref('#/channels/refundRequests/messages/refundRequest')],
      },
      receiveRefundStatus: {
        action: 'receive',
        channel: ref('#/channels/refundStatus'),
        summary: 'Record each refund step (RefundIssued, RefundSettled, RefundFailed)',
        messages: [ref('#/channels/refundStatus/messages/refundStatus')],
      },
      receiveFeedbackResponses: {
        action: 'receive',
        channel: ref('#/channels/feedbackResponses'),
        summary: "Record each customer's satisfaction (FollowedUp)",
        messages: [ref('#/channels/feedbackResponses/messages/feedbackResponse')],
      },
      receiveAppeals: {
        action: 'receive',
        channel: ref('#/channels/appeals'),
        summary: 'Record each appeal (DecisionAppealed), as POST /v1/cases/{caseId}/appeal would',
        messages: [ref('#/channels/appeals/messages/appeal')],
      },
      sendCaseEvents: {
        action: 'send',
        channel: ref('#/channels/caseEvents'),
        summary: 'Publish the event log, in order per case, at least once (deduplicate on event-id / ce_id)',
        messages: EVENT_TYPES.map((type) => ref(`#/channels/caseEvents/messages/${eventMessageId(type)}`)),
      },
      sendDeadLetters: {
        action: 'send',
        channel: ref('#/channels/deadLetters'),
        summary: 'Set aside an inbound message that cannot be applied',
        messages: [ref('#/channels/deadLetters/messages/deadLetter')],
      },
    },
    components: {
      messages: {
        RefundRequest: inboundMessage('RefundRequest', 'Refund request', 'RefundRequestMessage', 'The order id', 'The POST /v1/cases body plus messageId and source'),
        RefundStatus: inboundMessage('RefundStatus', 'Refund status', 'RefundStatusMessage', 'The case id', 'The refund-execution body plus messageId and caseId'),
        FeedbackResponse: inboundMessage('FeedbackResponse', 'Feedback response', 'FeedbackResponseMessage', 'The case id', 'The follow-up body plus messageId and caseId'),
        Appeal: inboundMessage('Appeal', 'Appeal', 'AppealMessage', 'The case id', 'The appeal body plus messageId, caseId and source'),
        ...eventMessages,
        DeadLetter: {
          name: 'DeadLetter',
          title: 'Dead letter',
          summary: 'The refused message, key, value and headers byte for byte, plus why',
          headers: ref('#/components/schemas/DeadLetterHeaders'),
          payload: { description: 'The original value, unchanged (any bytes, possibly not JSON)' },
          bindings: { kafka: { key: { type: 'string', description: 'The original key' }, bindingVersion: '0.5.0' } },
        },
      },
      schemas: {
        RefundRequestMessage: embedded(refundRequestSchema as Record<string, unknown>),
        RefundStatusMessage: embedded(refundStatusSchema as Record<string, unknown>),
        FeedbackResponseMessage: embedded(feedbackResponseSchema as Record<string, unknown>),
        AppealMessage: embedded(appealSchema as Record<string, unknown>),
        CaseEventHeaders: CASE_EVENT_MESSAGE_HEADERS,
        ...Object.fromEntries(EVENT_TYPES.map((type) => [`${type}Message`, caseEventPayloadSchema(type)])),
        DeadLetterHeaders: DEAD_LETTER_MESSAGE_HEADERS,
        ...DOMAIN_SCHEMAS,
      },
    },
  };
}
