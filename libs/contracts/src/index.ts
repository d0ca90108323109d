export * from './json-schema';
export * from './domain-schemas';
export * from './outbound-event-schemas';
