#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FlowManagerError } from './errors.js';

const USAGE = `usage: flow-manager [--config file.json] [--kawaflow]

Runs the flow-manager service: Socket.IO on FLOW_MANAGER_HOST:FLOW_MANAGER_PORT (127.0.0.1:7070), flow containers
on the engine (POCKETDOCK_SOCKET, or detected). Prints where it listens on stdout; logs are JSON lines on stderr.

  --config <file>   a JSON configuration file (or FLOW_MANAGER_CONFIG); the environment wins over it
  --kawaflow        speak kawaflow's protocol too (or FLOW_MANAGER_KAWAFLOW=true): reply events, its event names,
                    its pushes to every client
  --help, -h        this text
  --version, -v     the version

Settings: the FLOW_MANAGER_* environment variables in the README of @pocketdock/flow-manager.
SIGTERM or SIGINT stops it within the shutdown grace (FLOW_MANAGER_SHUTDOWN_GRACE_MS, default 2000 ms), and exits
(code 1) 3 s after it at the latest.
`;

/** How long after the shutdown grace the bin exits even if the cleanup has not finished. */
const HARD_STOP_AFTER_GRACE_MS = 3_000;

type Command = { run: 'help' } | { run: 'version' } | { run: 'serve'; config: string | undefined; kawaflow: boolean };

/** The command line; anything it does not know is an error (exit code 2), never ignored. */
function parseArgs(argv: readonly string[]): Command {
  let config: string | undefined;
  let kawaflow = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { run: 'help' };
    if (arg === '--version' || arg === '-v') return { run: 'version' };
    if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? argv[++i] : arg.slice('--config='.length);
      if (!value) throw new UsageError('--config needs a file');
      config = value;
      continue;
    }
    if (arg === '--kawaflow') {
      kawaflow = true;
      continue;
    }
    throw new UsageError(`unknown ${arg.startsWith('-') ? 'option' : 'argument'} ${arg}`);
  }
  return { run: 'serve', config, kawaflow };
}

class UsageError extends Error {}

/** This package's version, from the package.json above the running script (src/, dist/esm/ or bin/). */
function version(): string {
  let dir = dirname(realpathSync(process.argv[1] ?? '.'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@pocketdock/flow-manager') return pkg.version ?? 'unknown';
    } catch {
      // not here: one directory up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

async function main(argv: string[]): Promise<void> {
  const command = parseArgs(argv);
  if (command.run === 'help') return void process.stdout.write(USAGE);
  if (command.run === 'version') return void process.stdout.write(`${version()}\n`);
  // Loaded only to serve: --help and --version answer without the engine client, Socket.IO and the rest.
  const [{ loadFlowManagerConfig }, { FlowManager }] = await Promise.all([import('./config.js'), import('./flow-manager.js')]);
  const loaded = loadFlowManagerConfig(command.config ? { file: command.config } : {});
  const options = command.kawaflow ? { ...loaded, kawaflow: true } : loaded;
  const fm = await FlowManager.start(options);
  process.stdout.write(`flow-manager listening on ${fm.url} (flow sockets in ${options.socketDir})\n`);
  // The stop is bounded by the shutdown grace; a second signal changes nothing (it is on its way out). Should
  // the cleanup after the grace hang (an engine that does not answer a create under way), the process goes anyway.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`flow-manager: not stopped ${HARD_STOP_AFTER_GRACE_MS} ms after the shutdown grace; exiting\n`);
      process.exit(1);
    }, options.shutdownGraceMs + HARD_STOP_AFTER_GRACE_MS).unref();
    fm.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`flow-manager: ${err.message} (see flow-manager --help)\n`);
    process.exit(2);
  }
  const code = FlowManagerError.is(err) ? ` [${err.code}]` : '';
  process.stderr.write(`flow-manager: ${err instanceof Error ? err.message : String(err)}${code}\n`);
  process.exit(1);
});
