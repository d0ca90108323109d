import { plainToInstance } from 'class-transformer';
import { IsString, Matches, validate } from 'class-validator';
import { AppealDto, FollowUpDto, LogRequestDto, RefundExecutionDto } from '@refund-desk/case-handling';
import { FieldError, fieldErrors, passesCompiledRules, precheckInput, RequestValidationError, VALIDATOR_OPTIONS } from '@refund-desk/platform';
import { InboundTopic, TOPICS } from '../topics';

/** Visible ASCII, as an HTTP Idempotency-Key: the messageId plays the same part. */
export const MESSAGE_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** The HTTP API accepts exactly these case ids in its paths. */
export const CASE_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,59}$/;

/** refunds.requests.v1: the body of POST /v1/cases plus who sent it and under which message id. */
export class RefundRequestMessage extends LogRequestDto {
  @IsString() @Matches(MESSAGE_ID_PATTERN, { message: 'messageId must be 1-200 visible ASCII characters' })
  messageId!: string;

  @IsString() @Matches(SOURCE_PATTERN, { message: 'source must be a lower-case system name (a-z, 0-9, . _ -)' })
  source!: string;
}

/** payments.refund-status.v1: the body of POST /v1/cases/{caseId}/refund-execution plus ids. */
export class RefundStatusMessage extends RefundExecutionDto {
  @IsString() @Matches(MESSAGE_ID_PATTERN, { message: 'messageId must be 1-200 visible ASCII characters' })
  messageId!: string;

  @IsString() @Matches(CASE_ID_PATTERN, { message: 'caseId must be 1-100 letters, digits, _ or -' })
  caseId!: string;
}

/** feedback.responses.v1: the body of POST /v1/cases/{caseId}/follow-up plus ids. */
export class FeedbackResponseMessage extends FollowUpDto {
  @IsString() @Matches(MESSAGE_ID_PATTERN, { message: 'messageId must be 1-200 visible ASCII characters' })
  messageId!: string;

  @IsString() @Matches(CASE_ID_PATTERN, { message: 'caseId must be 1-100 letters, digits, _ or -' })
  caseId!: string;
}

/** refunds.appeals.v1: the body of POST /v1/cases/{caseId}/appeal plus ids and the sending system. */
export class AppealMessage extends AppealDto {
  @IsString() @Matches(MESSAGE_ID_PATTERN, { message: 'messageId must be 1-200 visible ASCII characters' })
  messageId!: string;

  @IsString() @Matches(CASE_ID_PATTERN, { message: 'caseId must be 1-100 letters, digits, _ or -' })
  caseId!: string;

  @IsString() @Matches(SOURCE_PATTERN, { message: 'source must be a lower-case system name (a-z, 0-9, . _ -)' })
  source!: string;
}

export interface InboundMessageTypes {
  [TOPICS.refundRequests]: RefundRequestMessage;
  [TOPICS.refundStatus]: RefundStatusMessage;
  [TOPICS.feedbackResponses]: FeedbackResponseMessage;
  [TOPICS.appeals]: AppealMessage;
}

export const MESSAGE_CLASSES: { readonly [T in InboundTopic]: new () => InboundMessageTypes[T] } = {
  [TOPICS.refundRequests]: RefundRequestMessage,
  [TOPICS.refundStatus]: RefundStatusMessage,
  [TOPICS.feedbackResponses]: FeedbackResponseMessage,
  [TOPICS.appeals]: AppealMessage,
};

export type ValidationOutcome<T> =
  | { readonly valid: true; readonly message: T }
  | { readonly valid: false; readonly errors: readonly FieldError[] };

/**
 * Validates a parsed message value with the checks and options of the HTTP validation pipe (depth,
 * storable text, unknown fields refused, not dropped), so a payload is accepted on Kafka exactly when it would be over HTTP.
 */
export async function validateInbound<T extends InboundTopic>(topic: T, value: unknown): Promise<ValidationOutcome<InboundMessageTypes[T]>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { valid: false, errors: [{ field: '', message: 'the message value must be a JSON object' }] };
  }
  let textErrors: FieldError[];
  try {
    textErrors = precheckInput(value);
  } catch (error) {
    if (error instanceof RequestValidationError) return { valid: false, errors: error.errors };
    throw error;
  }
  const type = MESSAGE_CLASSES[topic] as new () => object;
  if (textErrors.length === 0 && passesCompiledRules(type, value)) return { valid: true, message: plainToInstance(type, value) as InboundMessageTypes[T] };
  const message = plainToInstance(type, value) as InboundMessageTypes[T];
  const named = new Set(textErrors.map((e) => e.field));
  const errors = [...textErrors, ...fieldErrors(await validate(message, VALIDATOR_OPTIONS)).filter((e) => !named.has(e.field))];
  return errors.length === 0 ? { valid: true, message } : { valid: false, errors };
}
