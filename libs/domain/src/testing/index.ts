/** Test support: import from specs by relative path; never re-exported by the domain's index. */
export * from './given-when-then';
export * from './fixtures';
