/** Test support, imported by specs as `@refund-desk/domain/testing`; never re-exported by the domain's index. */
export * from './given-when-then';
export * from './fixtures';
export * from './legal-fixtures';
