export * from './projection-runtime/projection';
export * from './projection-runtime/projection-runner';
export * from './projection-runtime/checkpoints';
export * from './customer-history/customer-history.projection';
export * from './customer-history/customer-history.query';
export * from './read-models.module';
