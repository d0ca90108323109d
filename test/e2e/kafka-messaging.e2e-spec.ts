import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from 'kafkajs';
import { deterministicId } from '@refund-desk/case-handling';
import { MessagingLifecycle } from '@refund-desk/messaging';
import { collect, CollectedMessage, describeWithKafka, eventually, kafkaEnv, startTestKafka, TestKafka, testProducer } from '../support/kafka/test-kafka';
import { appealMessage, decidedCase, deniedCase, feedbackMessage, refundStatusMessage, requestMessage } from '../support/kafka/messages';
import { caseEventErrors, schemaErrors } from '@refund-desk/messaging/testing';
import { startTestApp, TestApp } from '../support/test-app';

const value = (message: CollectedMessage): any => JSON.parse(message.value!.toString());

describeWithKafka('Kafka in and out, through the whole service on PGlite', () => {
  let kafka: TestKafka;
  let t: TestApp;
  let producer: Producer;
  let out: Awaited<ReturnType<typeof collect>>;
  let agent: string;
  const healthFile = join(tmpdir(), `refund-desk-relay-${process.pid}.alive`);

  const publish = async (topic: string, key: string | null, payload: unknown): Promise<void> => {
    await producer.send({ topic, acks: -1, messages: [{ key, value: typeof payload === 'string' ? payload : JSON.stringify(payload) }] });
  };
  const caseEvents = (caseId: string): any[] =>
    out.messages.filter((m) => m.topic === 'refunds.case-events.v1' && m.key === caseId).map(value);
  const deadLetters = (): CollectedMessage[] => out.messages.filter((m) => m.topic === 'refunds.dlq.v1');
  const caseVersion = async (caseId: string): Promise<number> => (await t.request('GET', `/v1/cases/${caseId}`, { token: agent })).body.version;

  beforeAll(async () => {
    kafka = await startTestKafka();
    t = await startTestApp({ env: { ...kafkaEnv(kafka), KAFKA_RETRY_MAX_MS: '1000', KAFKA_HEALTH_FILE: healthFile } });
    agent = t.token('agent_ann', ['agent']);
    producer = await testProducer(kafka);
    out = await collect(kafka, ['refunds.case-events.v1', 'refunds.dlq.v1']);
    await t.app.get(MessagingLifecycle).relayStarted;
  });
  afterAll(async () => {
    await out?.stop();
    await producer?.disconnect();
    await t?.close();
    await kafka?.stop();
    rmSync(healthFile, { force: true });
  });

  it('touches the health file while the consumer is in its group', async () => {
    const touchedAt = (): number => (existsSync(healthFile) ? Date.parse(readFileSync(healthFile, 'utf8')) : Number.NaN);
    await eventually('the health file', () => !Number.isNaN(touchedAt()));
    expect(Date.now() - touchedAt()).toBeLessThan(60_000);
  });

  it('opens a case from refunds.requests.v1 and publishes RequestLogged without personal data', async () => {
    const message = requestMessage(t.clock.now(), { source: 'crm' });
    await publish('refunds.requests.v1', 'ord_5521', message);
    const caseId = deterministicId('case', 'kafka:refunds.requests.v1', message.messageId);

    await eventually('the RequestLogged event on refunds.case-events.v1', () => caseEvents(caseId).length === 1);
    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'logged', version: 1, request: { customer: { name: 'Maria Rossi' }, order: { id: 'ord_5521' } } });

    const [event] = caseEvents(caseId);
    expect(schemaErrors('case-event.v1', event)).toBeNull();
    expect(event).toMatchObject({
      type: 'RequestLogged',
      caseId,
      version: 1,
      metadata: { actor: 'kafka:crm', correlationId: message.messageId, causationId: message.messageId },
    });
    expect(event.data.customer).toMatchObject({ id: (message.customer as { id: string }).id, name: null, email: null, phone: null });
    expect(event.data.reason.description).toBeNull();
    const raw = out.messages.find((m) => m.key === caseId)!;
    expect(raw.headers).toMatchObject({ 'event-id': event.eventId, 'event-type': 'RequestLogged', 'schema-version': '1' });
    expect(raw.value!.toString()).not.toContain('Maria Rossi');
    expect(raw.value!.toString()).not.toContain('maria@example.com');
  });

  it('continues a message’s trace into the events and passes it on with them; a malformed traceparent starts a new trace', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const traced = requestMessage(t.clock.now());
    const malformed = requestMessage(t.clock.now());
    await producer.send({
      topic: 'refunds.requests.v1',
      acks: -1,
      messages: [
        { key: 'ord_5521', value: JSON.stringify(traced), headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01`, tracestate: 'congo=t61rcWkgMzE' } },
        { key: 'ord_5521', value: JSON.stringify(malformed), headers: { traceparent: '00-zzzz-b7ad6b7169203331-01' } },
      ],
    });
    const tracedCase = deterministicId('case', 'kafka:refunds.requests.v1', traced.messageId);
    const malformedCase = deterministicId('case', 'kafka:refunds.requests.v1', malformed.messageId);
    await eventually('both cases on refunds.case-events.v1', () => caseEvents(tracedCase).length === 1 && caseEvents(malformedCase).length === 1);

    const metadata = async (caseId: string): Promise<Record<string, unknown>> =>
      (await t.db.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM events WHERE stream_id = $1', [`refundCase-${caseId}`])).rows[0].metadata;
    const stored = await metadata(tracedCase);
    expect(stored.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(stored.traceparent).not.toContain('b7ad6b7169203331');
    expect(stored.tracestate).toBe('congo=t61rcWkgMzE');
    const forwarded = out.messages.find((m) => m.topic === 'refunds.case-events.v1' && m.key === tracedCase)!;
    expect(forwarded.headers).toMatchObject({ traceparent: stored.traceparent, tracestate: 'congo=t61rcWkgMzE' });

    const fresh = await metadata(malformedCase);
    expect(fresh.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(fresh.traceparent).not.toContain('zzzz');
    const forwardedFresh = out.messages.find((m) => m.topic === 'refunds.case-events.v1' && m.key === malformedCase)!;
    expect(forwardedFresh.headers).toMatchObject({ traceparent: fresh.traceparent });
    expect(deadLetters().filter((m) => m.headers['x-source-topic'] === 'refunds.requests.v1' && value(m).messageId === malformed.messageId)).toEqual([]);
  });

  it('records refund execution from payments.refund-status.v1 and publishes it', async () => {
    const caseId = await decidedCase(t, agent);
    const issued = refundStatusMessage(caseId, { status: 'issued', reference: 'pay_77' });
    const settled = refundStatusMessage(caseId, { status: 'settled', reference: 'pay_77' });
    await publish('payments.refund-status.v1', caseId, issued);
    await publish('payments.refund-status.v1', caseId, settled);

    await eventually('RefundSettled on refunds.case-events.v1', () => caseEvents(caseId).some((e) => e.type === 'RefundSettled'));
    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
    expect(view.body.refund).toMatchObject({ status: 'settled', reference: 'pay_77', amount: { minor: 1500, currency: 'USD' } });
    const events = caseEvents(caseId);
    expect(events.map((e) => e.type)).toEqual(['RequestLogged', 'PolicyEvaluated', 'Decided', 'RefundIssued', 'RefundSettled']);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(events[3].metadata).toMatchObject({ actor: 'kafka:payments.refund-status.v1', correlationId: issued.messageId });
    for (const event of events) expect(schemaErrors('case-event.v1', event)).toBeNull();
  });

  it('records the follow-up answer from feedback.responses.v1 and publishes it without the comment', async () => {
    const caseId = await decidedCase(t, agent);
    await publish('feedback.responses.v1', caseId, feedbackMessage(caseId, { satisfaction: 5, comment: 'Lovely, says Maria' }));

    await eventually('FollowedUp on refunds.case-events.v1', () => caseEvents(caseId).some((e) => e.type === 'FollowedUp'));
    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
    expect(view.body.followUp).toMatchObject({ satisfaction: 5, comment: 'Lovely, says Maria', channel: 'email' });
    const followedUp = caseEvents(caseId).find((e) => e.type === 'FollowedUp');
    expect(followedUp.data).toMatchObject({ satisfaction: 5, comment: null });
    expect(schemaErrors('case-event.v1', followedUp)).toBeNull();
  });

  it('applies a message delivered three times once', async () => {
    const caseId = await decidedCase(t, agent);
    const issued = refundStatusMessage(caseId, { status: 'issued' });
    const request = requestMessage(t.clock.now());
    for (let i = 0; i < 3; i++) {
      await publish('payments.refund-status.v1', caseId, issued);
      await publish('refunds.requests.v1', 'ord_5521', request);
    }
    const requestCase = deterministicId('case', 'kafka:refunds.requests.v1', request.messageId);
    // A later message on each partition proves the three copies were consumed before it.
    const marker = feedbackMessage(caseId);
    await publish('payments.refund-status.v1', caseId, refundStatusMessage(caseId, { status: 'settled', reference: issued.reference }));
    await publish('feedback.responses.v1', caseId, marker);
    await publish('refunds.requests.v1', 'ord_5521', requestMessage(t.clock.now()));

    await eventually('the settlement after the copies', () => caseEvents(caseId).some((e) => e.type === 'RefundSettled'));
    await eventually('the request case', () => caseEvents(requestCase).length > 0);
    expect(caseEvents(caseId).filter((e) => e.type === 'RefundIssued')).toHaveLength(1);
    expect(await caseVersion(caseId)).toBe(6);
    expect(await caseVersion(requestCase)).toBe(1);
    const log = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1`, [`refundCase-${requestCase}`]);
    expect(log.rows[0].n).toBe(1);
  });

  it('sends malformed, invalid and refused messages to refunds.dlq.v1 unchanged, with the reason, and keeps consuming', async () => {
    const undecided = requestMessage(t.clock.now());
    await publish('refunds.requests.v1', 'ord_5521', undecided);
    const undecidedCase = deterministicId('case', 'kafka:refunds.requests.v1', undecided.messageId);
    await eventually('the undecided case', () => caseEvents(undecidedCase).length === 1);

    const bad: Array<[string, string, string | object, string]> = [
      ['refunds.requests.v1', 'ord_bad_json', '{"messageId": "m1", ', 'malformed'],
      ['refunds.requests.v1', 'ord_bad_field', { ...requestMessage(t.clock.now()), amount: { minor: -5, currency: 'EUR' } }, 'validation'],
      ['refunds.requests.v1', 'ord_extra', { ...requestMessage(t.clock.now()), discount: 10 }, 'validation'],
      ['payments.refund-status.v1', 'case_unknown', refundStatusMessage('no_such_case', { status: 'issued' }), 'case_not_found'],
      ['feedback.responses.v1', undecidedCase, feedbackMessage(undecidedCase), 'illegal_transition'],
      ['refunds.requests.v1', 'ord_future', requestMessage(t.clock.now(), { order: { id: 'o', purchasedAt: '2999-01-01T00:00:00Z', country: 'IT', paymentMethod: 'card' } }), 'invalid_command'],
    ];
    for (const [topic, key, payload] of bad) await publish(topic, key, payload);
    const good = requestMessage(t.clock.now());
    await publish('refunds.requests.v1', 'ord_after', good);

    await eventually('every bad message in the DLQ', () => deadLetters().length >= bad.length);
    const goodCase = deterministicId('case', 'kafka:refunds.requests.v1', good.messageId);
    await eventually('the good message after the bad ones', () => caseEvents(goodCase).length === 1);
    expect(deadLetters()).toHaveLength(bad.length);
    for (const [topic, key, payload, errorType] of bad) {
      const letter = deadLetters().find((m) => m.key === key)!;
      expect(letter).toBeDefined();
      expect(letter.value!.toString()).toBe(typeof payload === 'string' ? payload : JSON.stringify(payload));
      expect(letter.headers).toMatchObject({ 'x-source-topic': topic, 'x-error-type': errorType, 'x-consumer-group': 'refund-desk' });
      expect(Number(letter.headers['x-source-partition'])).toBeGreaterThanOrEqual(0);
      expect(Number(letter.headers['x-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(letter.headers['x-error-message'].length).toBeGreaterThan(0);
    }
    const invalid = deadLetters().find((m) => m.key === 'ord_bad_field')!;
    expect(JSON.parse(invalid.headers['x-error-details'])).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'amount.minor' })]));
    expect(deadLetters().find((m) => m.key === 'ord_extra')!.headers['x-error-message']).toContain('discount');
  });

  it('records an appeal from refunds.appeals.v1 once, without the grounds on the way out, and dead-letters one the domain refuses', async () => {
    const caseId = await deniedCase(t, agent, t.token('mgr_marco', ['manager']));
    const appeal = appealMessage(caseId);
    await publish('refunds.appeals.v1', caseId, appeal);
    await publish('refunds.appeals.v1', caseId, appeal);
    // Settled in full as asked: nothing to appeal.
    const granted = await decidedCase(t, agent);
    await publish('refunds.appeals.v1', granted, appealMessage(granted));

    await eventually('DecisionAppealed on refunds.case-events.v1', () => caseEvents(caseId).some((e) => e.type === 'DecisionAppealed'));
    await eventually('the refused appeal in the DLQ', () => deadLetters().some((m) => m.key === granted));
    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
    expect(view.body.appeal).toMatchObject({ reason: appeal.reason, firstDecidedBy: 'mgr_marco', appealedBy: 'kafka:crm', verdict: null });
    const appealed = caseEvents(caseId).filter((e) => e.type === 'DecisionAppealed');
    expect(appealed).toHaveLength(1);
    expect(appealed[0].data).toMatchObject({ reason: null, firstDecidedBy: 'mgr_marco' });
    expect(appealed[0].metadata).toMatchObject({ actor: 'kafka:crm', correlationId: appeal.messageId });
    expect(schemaErrors('case-event.v1', appealed[0])).toBeNull();
    expect(deadLetters().find((m) => m.key === granted)!.headers).toMatchObject({ 'x-source-topic': 'refunds.appeals.v1', 'x-error-type': 'illegal_transition' });
  });

  it('published only messages that match the AsyncAPI schema of their event type, CloudEvents headers included', async () => {
    const published = out.messages.filter((m) => m.topic === 'refunds.case-events.v1');
    const types = new Set(published.map((m) => value(m).type));
    expect([...types]).toEqual(expect.arrayContaining(['PolicyRevised', 'RequestLogged', 'RefundIssued', 'RefundSettled', 'FollowedUp']));
    for (const message of published) {
      expect({ type: value(message).type, errors: caseEventErrors(value(message), message.headers) }).toEqual({ type: value(message).type, errors: null });
      expect(message.headers.ce_id).toBe(message.headers['event-id']);
    }
  });
});
