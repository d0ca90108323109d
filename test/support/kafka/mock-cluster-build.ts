import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Kept free of project imports: jest's global setup does not apply the path aliases. */
export const MOCK_CLUSTER_SOURCE = join(__dirname, 'mock-cluster.c');
export const MOCK_CLUSTER_BINARY = join(__dirname, 'bin', 'mock-cluster');
export const KAFKA_PROBE_ENV = 'REFUND_DESK_TEST_KAFKA';

/**
 * Compiles the mock-cluster launcher when the binary is missing or older than its source.
 * Returns null when it is ready, or what is missing (gcc, librdkafka-dev).
 */
export function buildMockCluster(): string | null {
  try {
    if (existsSync(MOCK_CLUSTER_BINARY) && statSync(MOCK_CLUSTER_BINARY).mtimeMs >= statSync(MOCK_CLUSTER_SOURCE).mtimeMs) return null;
    mkdirSync(join(__dirname, 'bin'), { recursive: true });
    execFileSync('gcc', ['-O2', '-Wall', '-o', MOCK_CLUSTER_BINARY, MOCK_CLUSTER_SOURCE, '-lrdkafka'], { stdio: 'pipe' });
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot build the Kafka mock cluster (needs gcc and librdkafka-dev: apt-get install -y gcc librdkafka-dev): ${stderr || (error as Error).message}`;
  }
}

/** Run once by jest's global setup; workers inherit the answer through the environment. */
export function probeKafka(): void {
  process.env[KAFKA_PROBE_ENV] = buildMockCluster() ?? 'ok';
}
