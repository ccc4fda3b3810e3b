// The integration tests run the built bin (bin/pocketdock.mjs -> dist/esm/bin.js) in child processes: the global
// setup builds this package first, then runs the engines' check (tools/testkit).
const preset = require('../../tools/jest.preset.cjs')(__dirname, { integration: true });

module.exports = { ...preset, globalSetup: require.resolve('./test/global-setup.cjs') };
