import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { producerStateLost } from './case-event-forwarder';

/** A broker's answer as kafkajs raises it (its protocol table's entry for the code). */
const answered = (type: string, code: number): KafkaJSProtocolError =>
  new KafkaJSProtocolError({ type, code, retriable: false, message: `answered ${type}` } as unknown as string);

describe('producerStateLost: when the forwarder replaces its producer', () => {
  it.each([
    ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45],
    ['INVALID_PRODUCER_EPOCH', 47],
    ['INVALID_PRODUCER_ID_MAPPING', 49],
    ['UNKNOWN_PRODUCER_ID', 59],
  ])('on the answer %s (%i), as sent', (type, code) => {
    expect(producerStateLost(answered(type, code))).toBe(true);
  });

  it('on that answer inside the error of retries exceeded, and inside an error per partition', () => {
    const lost = answered('OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
    expect(producerStateLost(new KafkaJSNumberOfRetriesExceeded(lost, { retryCount: 5, retryTime: 1000 }))).toBe(true);
    expect(producerStateLost(new KafkaJSAggregateError('two partitions failed', [new KafkaJSConnectionError('gone'), lost]))).toBe(true);
  });

  it('not on an outage or an answer that says nothing of the producer: those are retried with the same one', () => {
    expect(producerStateLost(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(false);
    expect(producerStateLost(answered('NOT_LEADER_FOR_PARTITION', 6))).toBe(false);
    expect(producerStateLost(new KafkaJSNumberOfRetriesExceeded(answered('REQUEST_TIMED_OUT', 7), { retryCount: 5, retryTime: 1000 }))).toBe(false);
    expect(producerStateLost(new Error('anything else'))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
    expect(producerStateLost('OUT_OF_ORDER_SEQUENCE_NUMBER')).toBe(false);
  });

  it('stops at a cause that refers back to itself', () => {
    const looped: { type: string; cause?: unknown } = { type: 'REQUEST_TIMED_OUT' };
    looped.cause = looped;
    expect(producerStateLost(looped)).toBe(false);
  });
});
