import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Overridable so a run can pin another KurrentDB or EventStoreDB (23.10+) image. */
export const KURRENTDB_IMAGE = process.env.KURRENTDB_IMAGE ?? 'kurrentplatform/kurrentdb:25.0';
const KURRENTDB_PORT = 2113;

type Source = { kind: 'url'; url: string } | { kind: 'docker'; engine: string } | { kind: 'none'; reason: string };

/**
 * Where a real node comes from: EVENTSTOREDB_URL, else a container when a Docker engine answers
 * on its usual socket. Decided synchronously, because jest collects suites before any await.
 */
function eventStoreDbSource(): Source {
  const url = process.env.EVENTSTOREDB_URL;
  if (url) return { kind: 'url', url };
  if (process.env.DOCKER_HOST) return { kind: 'docker', engine: process.env.DOCKER_HOST };
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  const socket = sockets.find((path) => existsSync(path));
  if (socket) return { kind: 'docker', engine: socket };
  return { kind: 'none', reason: 'no EVENTSTOREDB_URL and no Docker' };
}

export interface RunningEventStoreDb {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A suite that needs a real EventStoreDB/KurrentDB node. Without one it is skipped, said so on
 * the console and in jest's count, in CI too: these machines cannot run a node, and the
 * gRPC-level suite is what runs here.
 */
export function describeWithEventStoreDb(name: string, body: (node: () => Promise<RunningEventStoreDb>) => void): void {
  const source = eventStoreDbSource();
  if (source.kind === 'none') {
    // Written straight to stderr: jest does not show console output of a file whose tests were all skipped.
    process.stderr.write(
      `Skipping "${name}": skipped: ${source.reason}. Set EVENTSTOREDB_URL=esdb://host:2113?tls=false, or run where Docker can start ${KURRENTDB_IMAGE}.\n`,
    );
    describe.skip(name, () => body(async () => Promise.reject(new Error(source.reason))));
    return;
  }
  describe(`${name} (${source.kind === 'url' ? source.url : `${KURRENTDB_IMAGE} via ${source.engine}`})`, () => {
    // Pulling and starting the image can take longer than a test's default minute.
    if (source.kind === 'docker') jest.setTimeout(300_000);
    body(() => (source.kind === 'url' ? Promise.resolve({ url: source.url, stop: async () => undefined }) : startContainer()));
  });
}

async function startContainer(): Promise<RunningEventStoreDb> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(KURRENTDB_IMAGE)
    .withExposedPorts(KURRENTDB_PORT)
    .withEnvironment({
      KURRENTDB_CLUSTER_SIZE: '1',
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
    })
    .withStartupTimeout(240_000)
    .withWaitStrategy(Wait.forHealthCheck())
    .start();
  return {
    url: `esdb://${container.getHost()}:${container.getMappedPort(KURRENTDB_PORT)}?tls=false`,
    stop: async () => {
      await container.stop();
    },
  };
}
