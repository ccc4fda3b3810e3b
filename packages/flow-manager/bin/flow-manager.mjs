#!/usr/bin/env node
// The `flow-manager` command (package.json "bin"). It runs the built service, dist/esm/bin.js. In a clone that has
// not been built yet it runs the TypeScript source through tsx (the workspace's dev dependency) instead, so
// `npx flow-manager` works right after `npm ci`. This file is in git, executable, so npm links it at install time
// (npm skips a bin whose file does not exist yet, as dist/ does not before a build).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/esm/bin.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    tsx = undefined;
  }
  if (tsx === undefined || !existsSync(source)) {
    process.stderr.write('flow-manager: this copy is not built (no dist/esm/bin.js); run `npx nx build @pocketdock/flow-manager`\n');
    process.exit(1);
  }
  const child = spawn(process.execPath, ['--conditions=@pocketdock/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
