/**
 * Kafka figures, against librdkafka's mock cluster (the test broker) or KAFKA_BROKERS:
 *
 *  - ingest: N refund requests are published to refunds.requests.v1 first; then the service
 *    starts and the relay applies the backlog. Throughput = messages applied per second, from
 *    the first to the last RequestLogged recorded (and, wall-clock, from the relay's start).
 *  - forwarding lag: cases change over HTTP at a steady rate while a consumer reads
 *    refunds.case-events.v1. ackLag = when the broker acknowledged the event's batch − when the
 *    store recorded the event; lag = when a test consumer received it − when it was recorded
 *    (adds the consumer's fetch wait); sendLag = the message's producer timestamp − recorded.
 *
 *   node -r ./test/support/register-ts.js bench/kafka.ts [--store pglite|postgres] [--messages 5000] [--rate 200] [--seconds 10] [--concurrency 8]
 *
 * Results are printed and written to bench/results/kafka-<store>-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessagingLifecycle } from '@refund-desk/messaging';
import { probeKafka } from '../test/support/kafka/mock-cluster-build';
import { requestMessage } from '../test/support/kafka/messages';
import { collect, eventually, kafkaEnv, startTestKafka, testProducer } from '../test/support/kafka/test-kafka';
import { sampleRequest, startTestApp } from '../test/support/test-app';

interface Args {
  store: 'pglite' | 'postgres';
  messages: number;
  rate: number;
  seconds: number;
  concurrency: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { store: 'pglite', messages: 5_000, rate: 200, seconds: 10, concurrency: 8 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--store' && (value === 'pglite' || value === 'postgres')) args.store = value;
    else if (flag === '--messages') args.messages = Number(value);
    else if (flag === '--rate') args.rate = Number(value);
    else if (flag === '--seconds') args.seconds = Number(value);
    else if (flag === '--concurrency') args.concurrency = Number(value);
    else throw new Error(`unknown argument ${flag} ${value ?? ''}`);
  }
  return args;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function ingest(args: Args): Promise<Record<string, number>> {
  const kafka = await startTestKafka();
  const producer = await testProducer(kafka);
  const now = new Date();
  const messages = Array.from({ length: args.messages }, (_, i) =>
    requestMessage(now, { order: { id: `ord_${i}`, purchasedAt: new Date(now.getTime() - 40 * 86_400_000).toISOString(), country: 'IT', paymentMethod: 'card' } }),
  );
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({
      topic: 'refunds.requests.v1',
      acks: -1,
      messages: messages.slice(i, i + 500).map((m) => ({ key: (m.order as { id: string }).id, value: JSON.stringify(m) })),
    });
  }
  await producer.disconnect();

  const started = Date.now();
  const t = await startTestApp({ store: args.store, env: { ...kafkaEnv(kafka), KAFKA_FORWARDER_ENABLED: 'false', KAFKA_RELAY_CONCURRENCY: String(args.concurrency) } });
  try {
    await t.app.get(MessagingLifecycle).relayStarted;
    const relayStarted = Date.now();
    const applied = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_type = 'RequestLogged'`)).rows[0].n;
    await eventually('the backlog applied', async () => (await applied()) >= args.messages, 600_000);
    const done = Date.now();
    const span = await t.db.query<{ first: Date; last: Date }>(
      `SELECT min(recorded_at) AS first, max(recorded_at) AS last FROM events WHERE event_type = 'RequestLogged'`,
    );
    const storeSeconds = (span.rows[0].last.getTime() - span.rows[0].first.getTime()) / 1000;
    return {
      messages: args.messages,
      concurrency: args.concurrency,
      appliedPerSecond: round((args.messages - 1) / storeSeconds),
      wallSecondsFromRelayStart: round((done - relayStarted) / 1000, 2),
      wallMessagesPerSecondFromRelayStart: round(args.messages / ((done - relayStarted) / 1000)),
      processStartSeconds: round((relayStarted - started) / 1000, 2),
    };
  } finally {
    await t.close();
    await kafka.stop();
  }
}

async function lag(args: Args): Promise<Record<string, number>> {
  const kafka = await startTestKafka();
  const t = await startTestApp({ store: args.store, env: { ...kafkaEnv(kafka), KAFKA_RELAY_ENABLED: 'false' } });
  const out = await collect(kafka, ['refunds.case-events.v1']);
  const ackLags: number[] = [];
  const unsubscribe = t.app.get(MessagingLifecycle).caseEventForwarder!.onPublished((events, ackedAt) => {
    for (const event of events) if (event.type === 'NoteAdded') ackLags.push(ackedAt.getTime() - Date.parse(event.recordedAt));
  });
  try {
    const agent = t.token('agent_ann', ['agent']);
    const cases: string[] = [];
    for (let i = 0; i < 100; i++) cases.push((await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) })).body.caseId);
    await eventually('the warm-up events on the topic', () => out.messages.length >= cases.length + 1, 60_000);
    const warmUp = out.messages.length;

    // A steady stream of notes: `rate` per second for `seconds`, spread over the cases. A note that
    // loses a write race three times is answered 409 and records nothing; only stored events count.
    const total = args.rate * args.seconds;
    const began = Date.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = began + (i * 1000) / args.rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(t.request('POST', `/v1/cases/${cases[i % cases.length]}/notes`, { token: agent, body: { text: `note ${i}` } }));
    }
    await Promise.all(pending);
    const stored = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
    await eventually('every stored event on the topic', () => new Set(out.messages.map((m) => m.headers['event-id'])).size >= stored, 120_000);

    const seen = new Set<string>();
    const lags: number[] = [];
    const brokerLags: number[] = [];
    for (const message of out.messages.slice(warmUp)) {
      if (seen.has(message.headers['event-id'])) continue;
      seen.add(message.headers['event-id']);
      const recordedAt = Date.parse(JSON.parse(message.value!.toString()).recordedAt);
      lags.push(message.receivedAt - recordedAt);
      brokerLags.push(Number(message.timestamp) - recordedAt);
    }
    lags.sort((a, b) => a - b);
    brokerLags.sort((a, b) => a - b);
    ackLags.sort((a, b) => a - b);
    return {
      events: lags.length,
      ratePerSecond: args.rate,
      lagP50Ms: percentile(lags, 50),
      lagP95Ms: percentile(lags, 95),
      lagP99Ms: percentile(lags, 99),
      lagMaxMs: lags[lags.length - 1],
      sendLagP50Ms: percentile(brokerLags, 50),
      sendLagP95Ms: percentile(brokerLags, 95),
      ackLagP50Ms: percentile(ackLags, 50),
      ackLagP95Ms: percentile(ackLags, 95),
      ackLagP99Ms: percentile(ackLags, 99),
      ackLagMaxMs: ackLags[ackLags.length - 1],
    };
  } finally {
    unsubscribe();
    await out.stop();
    await t.close();
    await kafka.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.env.TZ = 'UTC';
  probeKafka();
  if (!process.env.KAFKA_BROKERS && process.env.REFUND_DESK_TEST_KAFKA !== 'ok') throw new Error(String(process.env.REFUND_DESK_TEST_KAFKA));
  const result = { store: args.store, broker: process.env.KAFKA_BROKERS ?? 'librdkafka mock cluster', at: new Date().toISOString(), ingest: await ingest(args), lag: await lag(args) };
  console.log(JSON.stringify(result, null, 2));
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `kafka-${args.store}-${result.at.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
