export * from './projection-test-kit';
