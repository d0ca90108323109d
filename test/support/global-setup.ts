import { randomUUID } from 'node:crypto';
import { probeKafka } from './kafka/mock-cluster-build';
import { probePostgres } from './postgres-probe';

export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  // The process suites build the app once per run (test/support/processes.ts); workers inherit this.
  process.env.REFUND_DESK_TEST_RUN_ID ??= randomUUID();
  await probePostgres();
  probeKafka();
}
