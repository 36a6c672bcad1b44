/** Jest runs the TypeScript sources as ES modules (swc strips the types; `npm run typecheck` checks them). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Longer than any wait a test makes (test/support/pipeline.ts: DEFAULT_WAIT_MS), so a test that
  // fails says what it waited for; a passing test never comes near it.
  testTimeout: 120_000,
  // Both cores (Jest's default leaves one to itself). The integration tests mostly wait on sockets
  // and timers, and each file starts its own servers on free ports, in its own worker process.
  maxWorkers: 2,
  // The CLI tests spawn `apig-watch` as users run it: the bundle in dist/, built once, fresh.
  globalSetup: '<rootDir>/scripts/build-cli.mjs',
};
