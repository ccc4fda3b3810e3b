const { execFileSync } = require('node:child_process');
const path = require('node:path');
const testkit = require('../../../tools/testkit/global-setup.cjs');

module.exports = async function globalSetup(...args) {
  const root = path.join(__dirname, '../../..');
  execFileSync(process.execPath, ['tools/build-package.mjs', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  return testkit(...args);
};
