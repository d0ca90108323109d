/**
 * A projector in a process of its own, for the crash-safety suite to SIGKILL. Runs a rebuild of
 * every read model against a PostgreSQL test schema and reports each committed batch.
 *   argv: <schema> <batchSize> [applicationName]
 */
import 'reflect-metadata';
import { PostgresDatabase } from '@refund-desk/database';
import { PostgresEventStore } from '@refund-desk/event-store';
import { READ_MODELS, rebuildReadModels } from '@refund-desk/read-models';
import { prepareReadModels } from '@refund-desk/read-models/testing';
import { POSTGRES_TEST_URL } from './postgres-probe';

async function main(): Promise<void> {
  const [schema, batchSize, applicationName] = process.argv.slice(2);
  const db = await PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema, poolSize: 2, applicationName });
  const projections = READ_MODELS.map((readModel) => readModel.projection);
  await prepareReadModels(db, projections);
  const result = await rebuildReadModels(db, new PostgresEventStore(db), projections, {
    batchSize: Number(batchSize),
    onProgress: (progress) => process.send?.({ phase: progress.phase, position: progress.position }),
  });
  process.send?.({ phase: 'done', eventsRead: result.eventsRead });
  await db.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
