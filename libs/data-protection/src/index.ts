export * from './field-cipher';
export * from './master-key';
export * from './customer-key-store';
export * from './personal-data-protecting-event-store';
export * from './data-protection.module';
