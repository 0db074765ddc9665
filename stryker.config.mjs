// Mutation testing of the safety core (docs/development.md, "Mutation testing"): `npm run test:mutation`.
// Stryker mutates the TypeScript sources in a sandbox with every mutant switched in at once (one build),
// compiles them with the project's own tsc, then runs each mutant against only the compiled unit test files
// that reached its code: the tap runner starts one `node` per test file and records what each file covered.

/** The pure modules whose mistakes could sign twice, move a signer wrongly, or let a bad inventory through. */
const SAFETY_CORE = [
  'src/chain/eip3076.ts',
  'src/chain/eip3076-conformance.ts',
  'src/chain/cometbft-sign-state.ts',
  'src/chain/cardano-opcert.ts',
  'src/failover/plan.ts',
  'src/failover/approval.ts',
  'src/failover/checks.ts',
  'src/failover/protection.ts',
  'src/failover/floor.ts',
  'src/failover/lock.ts',
  'src/quorum/generation.ts',
  'src/quorum/live.ts',
  'src/apply/rollout.ts',
  'src/inventory/rules/signers.ts',
  'src/inventory/rules/identities.ts',
];

/** The unit tests that mirror those modules (test/ mirrors src/); no lab test, no test of a whole command. */
const UNIT_TESTS = [
  'dist/test/chain/*.test.js',
  'dist/test/failover/{plan,approval,approval-bounds,checks,checks-*,protection,floor,floor-verdicts,lock}.test.js',
  'dist/test/quorum/*.test.js',
  'dist/test/apply/rollout.test.js',
  'dist/test/inventory/rules.test.js',
  'dist/test/inventory/rules/*.test.js',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    testFiles: UNIT_TESTS,
    // one test file per node process, its results as TAP; the hook records which mutants the file reached
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
  },
  // the tap runner's coverage is per test file: a mutant runs only the files that reached it
  coverageAnalysis: 'perTest',
  mutate: SAFETY_CORE,
  // the instrumented sources are compiled like the real ones (Stryker marks them `// @ts-nocheck`)
  buildCommand: 'npm run build',
  // the sandbox builds its own dist/ from the mutated sources; nothing else of the work tree is needed
  ignorePatterns: ['dist', '.lab', 'out', 'reports', 'drill-report.html'],
  // CI's size: 2 cores
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
