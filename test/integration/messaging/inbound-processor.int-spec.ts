import { MessagingLifecycle, InboundProcessor, MessageOutcome, PreparedMessage, TOPICS, InboundTopic } from '@refund-desk/messaging';
import { decidedCase, feedbackMessage, refundStatusMessage, requestMessage } from '../../support/kafka/messages';
import { startTestApp, TestApp } from '../../support/test-app';

describe('inbound messages applied through the commands (PGlite, no broker)', () => {
  let t: TestApp;
  let processor: InboundProcessor;
  let agent: string;

  const prepare = (topic: InboundTopic, value: unknown): Promise<PreparedMessage> =>
    processor.prepare(topic, Buffer.from(JSON.stringify(value)));
  const apply = async (topic: InboundTopic, value: unknown): Promise<MessageOutcome> => {
    const prepared = await prepare(topic, value);
    if (prepared.kind !== 'valid') throw new Error(`expected a valid message: ${JSON.stringify(prepared.rejection)}`);
    return processor.apply(prepared);
  };
  const streamEvents = async (caseId: string): Promise<string[]> =>
    (await t.db.query<{ t: string }>('SELECT event_type AS t FROM events WHERE stream_id = $1 ORDER BY stream_version', [`refundCase-${caseId}`])).rows.map((r) => r.t);

  beforeAll(async () => {
    t = await startTestApp();
    processor = t.app.get(InboundProcessor);
    agent = t.token('agent_ann', ['agent']);
  });
  afterAll(() => t?.close());

  it('does nothing Kafka-related without KAFKA_BROKERS', async () => {
    expect(t.app.get(MessagingLifecycle).enabled).toBe(false);
    expect(t.app.get(MessagingLifecycle).relayStarted).toBeUndefined();
    const tables = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'kafka_%'`);
    expect(tables.rows[0].n).toBe(0);
  });

  it('opens one case for a request however often it is applied', async () => {
    const message = requestMessage(t.clock.now());
    const first = await apply(TOPICS.refundRequests, message);
    const again = await apply(TOPICS.refundRequests, message);
    expect(first).toMatchObject({ kind: 'applied', replayed: false });
    if (first.kind !== 'applied') throw new Error('not applied');
    expect(again).toMatchObject({ kind: 'applied', replayed: true, caseId: first.caseId, eventIds: first.eventIds });
    expect(await streamEvents(first.caseId)).toEqual(['RequestLogged']);
  });

  it('replays an earlier refund status after later ones instead of refusing it', async () => {
    const caseId = await decidedCase(t, agent);
    const issued = refundStatusMessage(caseId, { status: 'issued' });
    const settled = refundStatusMessage(caseId, { status: 'settled', reference: issued.reference });
    expect(await apply(TOPICS.refundStatus, issued)).toMatchObject({ kind: 'applied', replayed: false });
    expect(await apply(TOPICS.refundStatus, settled)).toMatchObject({ kind: 'applied', replayed: false });
    // The domain would refuse a second issue of a settled refund; the same message is recognised instead.
    expect(await apply(TOPICS.refundStatus, issued)).toMatchObject({ kind: 'applied', replayed: true });
    expect(await apply(TOPICS.refundStatus, settled)).toMatchObject({ kind: 'applied', replayed: true });
    expect(await streamEvents(caseId)).toEqual(['RequestLogged', 'PolicyEvaluated', 'Decided', 'RefundIssued', 'RefundSettled']);
    // A new message with the same content is a new fact, and the domain judges it.
    expect(await apply(TOPICS.refundStatus, { ...issued, messageId: 'another' })).toMatchObject({
      kind: 'rejected',
      rejection: { errorType: 'illegal_transition' },
    });
  });

  it('refuses a messageId reused with another body, as HTTP does an Idempotency-Key', async () => {
    const message = requestMessage(t.clock.now());
    await apply(TOPICS.refundRequests, message);
    const outcome = await apply(TOPICS.refundRequests, { ...message, channel: 'phone' });
    expect(outcome).toMatchObject({ kind: 'rejected', rejection: { errorType: 'idempotency_key_reused' } });
  });

  it('maps domain refusals to dead-letter reasons', async () => {
    expect(await apply(TOPICS.feedbackResponses, feedbackMessage('nobody_here'))).toMatchObject({
      kind: 'rejected',
      rejection: { errorType: 'case_not_found', errorMessage: 'No refund case with id nobody_here' },
    });
    const logged = await apply(TOPICS.refundRequests, requestMessage(t.clock.now()));
    const caseId = (logged as { caseId: string }).caseId;
    expect(await apply(TOPICS.feedbackResponses, feedbackMessage(caseId))).toMatchObject({ kind: 'rejected', rejection: { errorType: 'illegal_transition' } });
  });

  it('rejects what cannot be parsed or validated without throwing', async () => {
    expect(await processor.prepare(TOPICS.refundRequests, null)).toMatchObject({ kind: 'rejected', rejection: { errorType: 'malformed' } });
    expect(await processor.prepare(TOPICS.refundRequests, Buffer.from('{nope'))).toMatchObject({ kind: 'rejected', rejection: { errorType: 'malformed' } });
    expect(await processor.prepare(TOPICS.refundRequests, Buffer.from('[1,2]'))).toMatchObject({ kind: 'rejected', rejection: { errorType: 'validation' } });
    const invalid = await prepare(TOPICS.refundStatus, refundStatusMessage('c1', { status: 'failed' }));
    expect(invalid).toMatchObject({ kind: 'rejected', rejection: { errorType: 'validation', details: expect.arrayContaining([expect.objectContaining({ field: 'failureReason' })]) } });
  });
});
