import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { Consumer, IHeaders, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { KAFKA_PROBE_ENV, MOCK_CLUSTER_BINARY } from './mock-cluster-build';
import { recordDiagnosis } from '../ci-diagnosis';

/** Every topic of the contract, as the tests create them. */
export const CONTRACT_TOPICS = [
  'refunds.requests.v1',
  'payments.refund-status.v1',
  'feedback.responses.v1',
  'refunds.appeals.v1',
  'refunds.case-events.v1',
  'refunds.dlq.v1',
] as const;

export interface TestKafka {
  readonly brokers: string[];
  /** True for a broker given by KAFKA_BROKERS: no fault injection there. */
  readonly external: boolean;
  /**
   * Disconnects a broker (by node id, 1..brokers), or every broker when none is named, and refuses
   * its connections; the data stays (mock only).
   */
  down(broker?: number): Promise<void>;
  up(broker?: number): Promise<void>;
  /**
   * Answers the next `count` requests of a type (JoinGroup, SyncGroup, Heartbeat, Fetch, …) with
   * an error code (GROUP_AUTHORIZATION_FAILED, REBALANCE_IN_PROGRESS, …) (mock only).
   */
  failRequests(request: string, code: string, count?: number): Promise<void>;
  /** Delays every response of a broker (by node id), or of every broker, by `ms`; 0 ends it (mock only). */
  delayResponses(ms: number, broker?: number): Promise<void>;
  /** Makes a broker (by node id) the coordinator of a consumer group; before its members join (mock only). */
  setGroupCoordinator(group: string, broker: number): Promise<void>;
  stop(): Promise<void>;
}

const kafkaProblem = (): string | null => {
  if (process.env.KAFKA_BROKERS) return null;
  const answer = process.env[KAFKA_PROBE_ENV];
  if (answer === undefined) return 'the Kafka probe did not run (jest global setup)';
  return answer === 'ok' ? null : answer;
};

/**
 * A suite that needs a Kafka broker: the one in KAFKA_BROKERS, or librdkafka's mock cluster.
 * With `faults`, the suite stops and restarts the broker, which only the mock can do. In CI a
 * missing broker fails the suite; elsewhere it is skipped with a message saying what is missing.
 */
export function describeWithKafka(name: string, body: () => void, options: { faults?: boolean } = {}): void {
  let problem = kafkaProblem();
  if (!problem && options.faults && process.env.KAFKA_BROKERS && process.env[KAFKA_PROBE_ENV] !== 'ok') {
    problem = `stopping the broker needs the mock cluster: ${process.env[KAFKA_PROBE_ENV] ?? 'not built'}`;
  }
  if (!problem) return describe(name, body);
  if (process.env.CI) {
    return describe(name, () => {
      it('needs a Kafka broker', () => {
        throw new Error(`${problem}. CI requires it (install gcc and librdkafka-dev, or set KAFKA_BROKERS).`);
      });
    });
  }
  console.warn(`Skipping "${name}": ${problem}.`);
  describe.skip(name, body);
}

class MockCluster implements TestKafka {
  readonly external = false;
  private readonly answers: Array<(line: string) => void> = [];
  /** How the mock ended when nobody stopped it (a crash inside librdkafka's mock): said at once, and by every later command. */
  private died: string | null = null;
  private stopping = false;
  private readonly ended: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly brokers: string[],
    lines: AsyncIterableIterator<string>,
    stderr: () => string,
  ) {
    void (async () => {
      for await (const line of lines) this.answers.shift()?.(line);
    })();
    // A command written as the mock dies must not take the test process down with EPIPE.
    child.stdin.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      // Every broker of the cluster refuses connections from now on: say why, once, where CI's log shows it.
      this.died = `the mock Kafka cluster (${brokers.join(',')}) died: ${signal ? `signal ${signal}` : `exit code ${code}`}; its stderr: ${stderr().trim() || '(empty)'}`;
      console.error(this.died);
      recordDiagnosis('kafka-mock', 'the mock Kafka cluster died', this.died.split('\n').slice(0, 30));
      for (const answer of this.answers.splice(0)) answer(`DIED ${this.died}`);
    });
  }

  static async start(topics: readonly string[], partitions: number, brokers = 1): Promise<MockCluster> {
    const child = spawn(MOCK_CLUSTER_BINARY, ['--brokers', String(brokers), ...topics.map((t) => `${t}:${partitions}`)], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mock cluster exited (${code}): ${stderr}`)))),
    ]);
    const match = /^BOOTSTRAP (\S+)$/.exec(String(first.value ?? ''));
    if (!match) throw new Error(`mock cluster did not print its address: ${String(first.value)} ${stderr}`);
    return new MockCluster(child, match[1].split(','), lines, () => stderr);
  }

  /** Sends one stdin command and waits for its OK. */
  command(line: string): Promise<void> {
    if (this.died) return Promise.reject(new Error(this.died));
    return new Promise((resolve, reject) => {
      this.answers.push((answer) => (answer.startsWith('OK ') ? resolve() : reject(new Error(`mock cluster: ${answer}`))));
      this.child.stdin.write(`${line}\n`);
    });
  }

  down(broker?: number): Promise<void> {
    return this.command(broker === undefined ? 'down' : `down ${broker}`);
  }

  up(broker?: number): Promise<void> {
    return this.command(broker === undefined ? 'up' : `up ${broker}`);
  }

  failRequests(request: string, code: string, count = 1): Promise<void> {
    return this.command(`error ${request} ${code} ${count}`);
  }

  delayResponses(ms: number, broker = -1): Promise<void> {
    return this.command(`rtt ${broker} ${ms}`);
  }

  setGroupCoordinator(group: string, broker: number): Promise<void> {
    return this.command(`coordinator ${group} ${broker}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // A mock killed by a signal has exitCode null and signalCode set: waiting for its 'exit' again would never end.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.ended;
    clearTimeout(timer);
  }
}

/** The broker for a suite, with the contract's topics (3 partitions each on the mock). */
export async function startTestKafka(options: { partitions?: number; topics?: readonly string[]; brokers?: number } = {}): Promise<TestKafka> {
  const topics = options.topics ?? CONTRACT_TOPICS;
  const partitions = options.partitions ?? 3;
  const external = process.env.KAFKA_BROKERS;
  if (!external) return MockCluster.start(topics, partitions, options.brokers);
  const brokers = external.split(',');
  const admin = new Kafka({ clientId: 'refund-desk-tests', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const refuse = (): Promise<void> => Promise.reject(new Error('stopping the broker needs the mock cluster'));
  return { brokers, external: true, down: refuse, up: refuse, failRequests: refuse, delayResponses: refuse, setGroupCoordinator: refuse, stop: async () => undefined };
}

/** The mock cluster stands in unless KAFKA_BROKERS names a real broker. */
export const kafkaMockInUse = (): boolean => !process.env.KAFKA_BROKERS;

/** The service's settings for the suite's broker; the mock cannot serve idempotent producers. */
export const kafkaEnv = (kafka: TestKafka): Record<string, string> => ({
  KAFKA_BROKERS: kafka.brokers.join(','),
  KAFKA_IDEMPOTENT_PRODUCER: String(kafka.external),
});

export const testKafkaClient = (kafka: TestKafka): Kafka =>
  new Kafka({
    clientId: `test-${randomBytes(3).toString('hex')}`,
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
  });

/** A plain producer: the mock cannot serve idempotent producers (they ask the controller). */
export async function testProducer(kafka: TestKafka): Promise<Producer> {
  const producer = testKafkaClient(kafka).producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}

/** Which broker (node id) leads each partition of a topic, as the cluster's metadata says. */
export async function partitionLeaders(kafka: TestKafka, topic: string): Promise<Map<number, number>> {
  const admin = testKafkaClient(kafka).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(topics[0].partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
  readonly timestamp: string;
  /** When this test consumer received it (ms since the epoch). */
  readonly receivedAt: number;
}

const headerText = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, Array.isArray(value) ? String(value[0]) : String(value)]));

/** Reads topics from the beginning into an array, as a fresh consumer group. */
export async function collect(kafka: TestKafka, topics: readonly string[]): Promise<{ messages: CollectedMessage[]; stop(): Promise<void> }> {
  const consumer: Consumer = testKafkaClient(kafka).consumer({ groupId: `collect-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers: headerText(message.headers),
        timestamp: message.timestamp,
        receivedAt: Date.now(),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** Polls `check` until it returns true; fails with `what` when the time is up. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
