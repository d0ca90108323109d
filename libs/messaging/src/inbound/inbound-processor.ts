import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  AppealDecisionCommand,
  CaseCommandResult,
  classifyError,
  CommandContext,
  deterministicId,
  LogRequestCommand,
  RecordFollowUpCommand,
  RecordRefundExecutionCommand,
} from '@refund-desk/case-handling';
import { RefundRequest } from '@refund-desk/domain';
import { continueTrace, FieldError, HeaderValue, traceHeaders, TraceHeaders } from '@refund-desk/platform';
import { InboundTopic, TOPICS } from '../topics';
import { AppealMessage, FeedbackResponseMessage, RefundRequestMessage, RefundStatusMessage, validateInbound } from './inbound-messages';

/** Why a message goes to the dead-letter topic; `errorType` is a stable code for the header. */
export interface Rejection {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly details?: readonly FieldError[];
}

export type PreparedMessage =
  | { readonly kind: 'rejected'; readonly rejection: Rejection }
  | {
      readonly kind: 'valid';
      readonly topic: InboundTopic;
      readonly messageId: string;
      readonly caseId: string | null;
      readonly body: unknown;
      /** The W3C trace the message belongs to: its traceparent header continued, or a new trace. */
      readonly trace: TraceHeaders;
    };

export type MessageOutcome =
  | {
      readonly kind: 'applied';
      readonly caseId: string;
      readonly eventIds: readonly string[];
      readonly position: number | null;
      /** The events were already stored (a redelivery after a crash): nothing new was written. */
      readonly replayed: boolean;
    }
  | { readonly kind: 'rejected'; readonly rejection: Rejection };

const MAX_HEADER_TEXT = 2_000;
const clip = (text: string): string => (text.length > MAX_HEADER_TEXT ? `${text.slice(0, MAX_HEADER_TEXT - 1)}…` : text);

/**
 * Refusals that a retry cannot change (the error table's dead-letter rows): the domain said no,
 * or the message contradicts an earlier one with the same id. Everything else (an unreachable
 * store, a lost race) may pass on a later attempt and is left to the relay to retry.
 */
export function rejectionFor(error: unknown): Rejection | undefined {
  const known = classifyError(error);
  return known?.kafka === 'dead-letter' ? { errorType: known.code, errorMessage: clip(known.message) } : undefined;
}

/**
 * Ids of the events a message records: the same message always yields the same ids. For a
 * request it is the id LogRequestCommand derives from its idempotency scope and key.
 */
export const messageEventIds = (topic: string, messageId: string): string[] => [deterministicId('event', `kafka:${topic}`, messageId)];

/**
 * Turns an inbound message into the command HTTP would issue for the same input, through the
 * CommandBus and the same handlers, with a service principal as the actor.
 */
@Injectable()
export class InboundProcessor {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Parses and validates; never throws for anything the message contains. A malformed
   * traceparent header is no reason to refuse a message: it starts a new trace instead.
   */
  async prepare(topic: InboundTopic, value: Buffer | null, headers?: Readonly<Record<string, HeaderValue>>): Promise<PreparedMessage> {
    if (value === null || value.length === 0) {
      return { kind: 'rejected', rejection: { errorType: 'malformed', errorMessage: 'the message has no value' } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString('utf8'));
    } catch (error) {
      return { kind: 'rejected', rejection: { errorType: 'malformed', errorMessage: clip(`the value is not JSON: ${(error as Error).message}`) } };
    }
    const validation = await validateInbound(topic, parsed);
    if (!validation.valid) {
      const message = validation.errors.map((e) => e.message).join('; ');
      return { kind: 'rejected', rejection: { errorType: 'validation', errorMessage: clip(message), details: validation.errors } };
    }
    const caseId = 'caseId' in validation.message ? (validation.message as { caseId: string }).caseId : null;
    const trace = traceHeaders(continueTrace(headers?.traceparent, headers?.tracestate));
    return { kind: 'valid', topic, messageId: validation.message.messageId, caseId, body: validation.message, trace };
  }

  /** Applies a valid message; a permanent refusal is returned, a possibly passing failure thrown. */
  async apply(message: Extract<PreparedMessage, { kind: 'valid' }>): Promise<MessageOutcome> {
    let result: CaseCommandResult;
    try {
      result = await this.commands.execute(this.command(message));
    } catch (error) {
      const rejection = rejectionFor(error);
      if (rejection) return { kind: 'rejected', rejection };
      throw error;
    }
    return {
      kind: 'applied',
      caseId: result.caseId,
      eventIds: messageEventIds(message.topic, message.messageId),
      position: result.position,
      replayed: result.duplicate,
    };
  }

  private command(
    message: Extract<PreparedMessage, { kind: 'valid' }>,
  ): LogRequestCommand | RecordRefundExecutionCommand | RecordFollowUpCommand | AppealDecisionCommand {
    const context = (actor: string): CommandContext => ({
      actor: { id: actor, roles: ['service'] },
      correlationId: message.messageId,
      causationId: message.messageId,
      trace: message.trace,
    });
    switch (message.topic) {
      case TOPICS.refundRequests: {
        const body = message.body as RefundRequestMessage;
        const request: RefundRequest = {
          customer: body.customer,
          order: body.order,
          product: body.product,
          amount: body.amount,
          reason: body.reason,
          requestedResolution: body.requestedResolution,
          channel: body.channel,
          evidence: body.evidence ?? [],
        };
        // The case id and event id derive from scope and key, so a redelivery cannot open a second case.
        return new LogRequestCommand(request, context(`kafka:${body.source}`), {
          scope: `kafka:${message.topic}`,
          key: message.messageId,
          body: instanceToJson(body),
        });
      }
      case TOPICS.refundStatus: {
        const body = message.body as RefundStatusMessage;
        return new RecordRefundExecutionCommand(
          body.caseId,
          { status: body.status, method: body.method, amount: body.amount, reference: body.reference, failureReason: body.failureReason ?? null },
          context(`kafka:${message.topic}`),
          messageEventIds(message.topic, message.messageId),
        );
      }
      case TOPICS.feedbackResponses: {
        const body = message.body as FeedbackResponseMessage;
        return new RecordFollowUpCommand(
          body.caseId,
          { satisfaction: body.satisfaction, comment: body.comment ?? null, channel: body.channel },
          context(`kafka:${message.topic}`),
          messageEventIds(message.topic, message.messageId),
        );
      }
      case TOPICS.appeals: {
        const body = message.body as AppealMessage;
        // The sending system is the actor, as for a request: the customer appeals through it, as through an agent over HTTP.
        return new AppealDecisionCommand(
          body.caseId,
          { reason: body.reason, evidence: body.evidence ?? [] },
          context(`kafka:${body.source}`),
          messageEventIds(message.topic, message.messageId),
        );
      }
    }
  }
}

/** The validated message as plain JSON, for the idempotency fingerprint. */
const instanceToJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
