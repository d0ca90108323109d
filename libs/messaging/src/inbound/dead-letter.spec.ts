import { KafkaMessage } from 'kafkajs';
import { deadLetter } from './dead-letter';

describe('deadLetter', () => {
  const received: KafkaMessage = {
    key: Buffer.from('ord_1'),
    value: Buffer.from('{"messageId": "m1", '),
    timestamp: '1790000000000',
    attributes: 0,
    offset: '41',
    headers: { traceparent: Buffer.from('00-abc-def-01') },
  };

  it('keeps key, value and headers as received and adds where it came from and why', () => {
    const letter = deadLetter(
      received,
      { topic: 'refunds.requests.v1', partition: 2, groupId: 'refund-desk' },
      { errorType: 'validation', errorMessage: 'amount.minor must not be less than 1', details: [{ field: 'amount.minor', message: 'amount.minor must not be less than 1' }] },
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(letter.key).toBe(received.key);
    expect(letter.value).toBe(received.value);
    expect(letter.headers).toEqual({
      traceparent: received.headers!.traceparent,
      'x-source-topic': 'refunds.requests.v1',
      'x-source-partition': '2',
      'x-source-offset': '41',
      'x-source-timestamp': '1790000000000',
      'x-consumer-group': 'refund-desk',
      'x-error-type': 'validation',
      'x-error-message': 'amount.minor must not be less than 1',
      'x-error-details': '[{"field":"amount.minor","message":"amount.minor must not be less than 1"}]',
      'x-dead-lettered-at': '2026-11-01T00:00:00.000Z',
    });
  });
});
