import { probeKafka } from './kafka/mock-cluster-build';
import { probePostgres } from './postgres-probe';

export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  await probePostgres();
  probeKafka();
}
