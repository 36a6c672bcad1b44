/** Jest runs the TypeScript sources as ES modules (swc strips the types; `npm run typecheck` checks them). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  // The CLI tests spawn `apig-watch` as users run it: the bundle in dist/, built once, fresh.
  globalSetup: '<rootDir>/scripts/build-cli.mjs',
};
