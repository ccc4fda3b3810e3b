#!/usr/bin/env node
import { loadFlowManagerConfig } from './config.js';
import { FlowManager } from './flow-manager.js';
import { FlowManagerError } from './errors.js';

/** `flow-manager [--config file.json]`: starts the service and prints where it listens (stdout; logs go to stderr). */
async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--config');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: flow-manager [--config file.json]\nSettings: see the README of @pocketdock/flow-manager (FLOW_MANAGER_* environment variables).\n');
    return;
  }
  const options = loadFlowManagerConfig(at >= 0 && argv[at + 1] ? { file: argv[at + 1]! } : {});
  const fm = await FlowManager.start(options);
  process.stdout.write(`flow-manager listening on ${fm.url} (flow sockets in ${options.socketDir})\n`);
  const stop = (): void => {
    void fm.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const code = FlowManagerError.is(err) ? ` [${err.code}]` : '';
  process.stderr.write(`flow-manager: ${err instanceof Error ? err.message : String(err)}${code}\n`);
  process.exit(1);
});
