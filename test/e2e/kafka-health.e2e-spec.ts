import { MessagingLifecycle } from '@refund-desk/messaging';
import { describeWithKafka, eventually, kafkaEnv, kafkaMockInUse, startTestKafka, TestKafka } from '../support/kafka/test-kafka';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

describeWithKafka('/health and /metrics with Kafka on, through the whole service on PGlite', () => {
  let kafka: TestKafka;
  let t: TestApp;

  beforeAll(async () => {
    kafka = await startTestKafka();
    t = await startTestApp({ env: { ...kafkaEnv(kafka), KAFKA_RETRY_MAX_MS: '1000', KAFKA_SESSION_TIMEOUT_MS: '6000' } });
    await t.app.get(MessagingLifecycle).relayStarted;
  });
  afterAll(async () => {
    await t?.close();
    await kafka?.stop();
  });

  it('reports the relay and forwarder, and their metrics', async () => {
    const agent = t.token('agent_ann', ['agent']);
    const created = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    await eventually('the relay in its group and the forwarder caught up', async () => {
      const health = await t.request('GET', '/health');
      return health.status === 200 && health.body.kafka?.relay?.state === 'running' && health.body.kafka.forwarder?.position >= created.body.position;
    });
    const health = await t.request('GET', '/health');
    expect(health.body).toMatchObject({
      status: 'ok',
      kafka: { ready: true, relay: { consuming: true, consumerRestarts: 0, lastCrash: null }, forwarder: { lagEvents: 0, lagSeconds: 0 } },
    });
    const metrics = (await t.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/^refund_desk_kafka_relay_consumer_running 1$/m);
    expect(metrics).toMatch(/^refund_desk_kafka_forwarder_events_published_total [1-9]/m);
    expect(metrics).toMatch(new RegExp(`^refund_desk_kafka_forwarder_checkpoint_position ${created.body.position}$`, 'm'));
    expect(metrics).toMatch(/^refund_desk_kafka_forwarder_lag_events 0$/m);
    for (const name of ['consumed', 'applied', 'skipped', 'dead_lettered']) expect(metrics).toContain(`# TYPE refund_desk_kafka_relay_messages_${name}_total counter`);
    expect(metrics).toContain('# TYPE refund_desk_kafka_relay_lag_messages gauge');
    expect(metrics).toContain('# TYPE refund_desk_kafka_relay_retries_total counter');
  });

  (kafkaMockInUse() ? it : it.skip)('answers 503 while the relay has no consumer, and 200 once a new one joined', async () => {
    await kafka.failRequests('JoinGroup', 'GROUP_AUTHORIZATION_FAILED', 4);
    await kafka.failRequests('Heartbeat', 'REBALANCE_IN_PROGRESS', 1);
    await eventually('readiness to fail', async () => (await t.request('GET', '/health')).status === 503, 30_000);
    const down = await t.request('GET', '/health');
    process.stdout.write(`/health while the relay has no consumer:\n${JSON.stringify(down.body.kafka, null, 2)}\n`);
    expect(down.body).toMatchObject({
      status: 'down',
      store: { reachable: true },
      kafka: { ready: false, relay: { state: 'recovering', consuming: false, lastCrash: { restart: false } } },
    });
    expect(down.body.kafka.relay.lastCrash.error).toMatch(/authoriz/i);
    expect((await t.request('GET', '/metrics')).text).toMatch(/^refund_desk_kafka_relay_consumer_running 0$/m);

    await eventually('readiness back', async () => (await t.request('GET', '/health')).status === 200, 60_000);
    const up = await t.request('GET', '/health');
    expect(up.body).toMatchObject({ status: 'ok', kafka: { ready: true, relay: { state: 'running', consuming: true } } });
    expect(up.body.kafka.relay.consumerRestarts).toBeGreaterThanOrEqual(1);
  });
});
