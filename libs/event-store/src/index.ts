export * from './event-store';
export * from './errors';
export * from './hash-chain';
export * from './catch-up';
export * from './postgres/postgres-event-store';
export * from './postgres/event-log.schema';
export * from './event-store.module';
