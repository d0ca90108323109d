/**
 * Test support, imported as `@refund-desk/read-models/testing`; never re-exported by the
 * library's index. Besides the projection test kit, the runtime pieces that tests and benches
 * drive directly: preparing a database, a projection of their own, generations and checkpoints.
 */
export * from './projection-test-kit';
export { prepareReadModels, tableNames, CheckpointMovedError } from '../projection-runtime/generations';
export { loadLiveGeneration } from '../projection-runtime/checkpoints';
export type { Projection, ReadModelTable, TableNames } from '../projection-runtime/projection';
