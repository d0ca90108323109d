import { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '../topics';
import { Rejection } from './inbound-processor';

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
}

/**
 * The message as received (same key, value and headers, byte for byte) with headers saying
 * where it came from and why it was refused, so it can be inspected, fixed and re-published.
 */
export function deadLetter(message: KafkaMessage, source: DeadLetterSource, rejection: Rejection, now: Date): Message {
  const headers: IHeaders = { ...(message.headers ?? {}) };
  headers[DEAD_LETTER_HEADERS.sourceTopic] = source.topic;
  headers[DEAD_LETTER_HEADERS.sourcePartition] = String(source.partition);
  headers[DEAD_LETTER_HEADERS.sourceOffset] = message.offset;
  headers[DEAD_LETTER_HEADERS.sourceTimestamp] = message.timestamp;
  headers[DEAD_LETTER_HEADERS.consumerGroup] = source.groupId;
  headers[DEAD_LETTER_HEADERS.errorType] = rejection.errorType;
  headers[DEAD_LETTER_HEADERS.errorMessage] = rejection.errorMessage;
  if (rejection.details && rejection.details.length > 0) {
    headers[DEAD_LETTER_HEADERS.errorDetails] = JSON.stringify(rejection.details.slice(0, 50));
  }
  headers[DEAD_LETTER_HEADERS.deadLetteredAt] = now.toISOString();
  return { key: message.key, value: message.value, headers };
}
