// Shared Jest configuration: every package's jest.config.cjs is `module.exports = preset(__dirname, {...})`.
//
// - TypeScript through @swc/jest (fast; typechecking is the `typecheck` target's job).
// - Workspace packages resolve to their src/ through the "@pocketdock/source" export condition, so tests never
//   need a build first.
// - `integration: true` adds the engine global setup: every engine named in POCKETDOCK_TEST_ENGINES (default
//   "docker,podman") must answer, or the run fails. Integration tests never skip silently.
const path = require('node:path');

/** @returns {import('jest').Config} */
module.exports = function preset(dir, { integration = false, testTimeout = 30_000 } = {}) {
  return {
    rootDir: dir,
    displayName: path.basename(dir),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.c?ts$': [
        require.resolve('@swc/jest'),
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    // A .cts source (CommonJS even in the ESM build, e.g. container-sdk's node-require.cts) is imported as .cjs.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^(\\.{1,2}/.*)\\.cjs$': ['$1.cts', '$1.cjs'] },
    moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'cts', 'json', 'node'],
    testEnvironmentOptions: { customExportConditions: ['@pocketdock/source', 'node', 'node-addons'] },
    testTimeout,
    maxWorkers: 2,
    // In CI every test is named in the log, so it shows integration tests ran on docker AND podman.
    verbose: process.env.CI === 'true',
    // The summary of failing tests after every project (Jest's default shows it only above 20 suites), and a copy
    // of the failures in tmp/test-failures/ that tools/test.sh prints again at the end of the whole run.
    reporters: [['default', { summaryThreshold: 0 }], path.join(__dirname, 'testkit/failure-log.cjs')],
    ...(integration
      ? {
          globalSetup: path.join(__dirname, 'testkit/global-setup.cjs'),
          globalTeardown: path.join(__dirname, 'testkit/global-teardown.cjs'),
        }
      : {}),
  };
};
