import { rmSync } from 'node:fs';
import { DIAGNOSIS_DIR } from './ci-diagnosis';
import { probeKafka } from './kafka/mock-cluster-build';
import { probePostgres } from './postgres-probe';

export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  // Diagnoses are of this run's failures only.
  rmSync(DIAGNOSIS_DIR, { recursive: true, force: true });
  await probePostgres();
  probeKafka();
}
