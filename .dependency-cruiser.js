/**
 * The layering, checked on every `npm test` (`npm run lint:deps`). Each library's README says the
 * same in words. Type-only imports count: a domain that imports a framework type is not pure.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SPEC = '\\.(spec|int-spec|e2e-spec)\\.ts$';
const ENTRY_POINTS = '^libs/[^/]+/src/(index|testing/index)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-itself',
      comment: 'The domain is pure: no framework, database, Kafka or other library; time and ids come in as inputs.',
      severity: 'error',
      from: { path: '^libs/domain/src/', pathNot: [SPEC, '^libs/domain/src/testing/'] },
      to: { pathNot: '^libs/domain/src/' },
    },
    {
      name: 'domain-tests-import-no-framework',
      comment: "The domain's specs and test kit use test tools (jest, fast-check) and node built-ins, never another library or a framework.",
      severity: 'error',
      from: { path: [`^libs/domain/src/.*${SPEC}`, '^libs/domain/src/testing/'] },
      to: { pathNot: ['^libs/domain/src/', '^node_modules/(fast-check|@jest)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'libraries-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-never-import-other-apps',
      comment: 'Each app is a process of its own; what two apps share belongs in a library.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'other-libraries-only-through-entry-points',
      comment:
        "Code, specs and tests use another library as @refund-desk/<lib> or its test kit @refund-desk/<lib>/testing, never by a path into its folders.",
      severity: 'error',
      from: { path: '^(libs/([^/]+)/|apps/|test/|tools/|bench/)' },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$2/', ENTRY_POINTS] },
    },
    {
      name: 'test-kits-only-in-tests',
      comment: 'A testing entry point is for specs, tests, benchmarks and other test kits, never for code that ships.',
      severity: 'error',
      from: { path: '^(libs|apps)/', pathNot: [SPEC, '^libs/[^/]+/src/testing/'] },
      to: { path: '^libs/[^/]+/src/testing/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a package missing from package.json.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench/peers)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    webpackConfig: { fileName: '.dependency-cruiser-resolve.js' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.json', '.d.ts'] },
  },
};
