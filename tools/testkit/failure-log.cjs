// Jest reporter: writes each failed test (suite, name, the start of its failure message) to
// tmp/test-failures/<project>.log, so tools/test.sh can print every failure again at the very end of a run.
// Nx prints each project's output as one block, and a CI log is often read from its tail: without this, a
// failure in an early project is out of sight.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const MESSAGE_LINES = 20;
// eslint-disable-next-line no-control-regex -- ANSI colour codes
const ANSI = /\u001b\[[0-9;]*m/g;

class FailureLog {
  constructor(globalConfig) {
    this.dir = path.join(ROOT, 'tmp', 'test-failures');
    this.name = String(globalConfig.rootDir ?? 'jest')
      .replace(ROOT + path.sep, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '_');
  }

  onRunComplete(_contexts, results) {
    const lines = [];
    for (const suite of results.testResults) {
      const where = path.relative(ROOT, suite.testFilePath);
      if (suite.testExecError) lines.push(`${where}: the suite failed to run`, clip(suite.testExecError.message));
      for (const test of suite.testResults) {
        if (test.status !== 'failed') continue;
        lines.push(`${where}: ${test.fullName}`, clip(test.failureMessages.join('\n')));
      }
    }
    const file = path.join(this.dir, `${this.name}.log`);
    if (lines.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(file, lines.join('\n') + '\n');
  }
}

function clip(message) {
  const lines = message
    .replace(ANSI, '')
    .split('\n')
    .filter((line) => !/^\s+at .*(node_modules|node:internal|<anonymous>)/.test(line));
  const kept = lines.slice(0, MESSAGE_LINES).map((line) => `    ${line}`);
  if (lines.length > MESSAGE_LINES) kept.push(`    ... (${lines.length - MESSAGE_LINES} more lines)`);
  return kept.join('\n');
}

module.exports = FailureLog;
