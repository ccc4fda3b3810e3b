import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(__dirname, '../../bin/pocketdock.mjs');

/** `run` keeps a history under $XDG_STATE_HOME: the tests keep theirs in the workspace's tmp/, not in $HOME. */
export const TEST_STATE_HOME = join(__dirname, '../../../../tmp/cli-test-state');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `pocketdock` with `args`, `input` on stdin (else /dev/null), in `cwd`. */
export function cli(args: string[], options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: TEST_STATE_HOME, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
