import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const BIN = join(__dirname, '../../src/bin.ts');

export interface BinProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** The first line on stdout (or all of it, once the process ended). */
  stdout: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Runs the bin from source (tsx) with only `env` (and PATH), as `npx flow-manager` runs the built one. */
export function runBin(env: Record<string, string>, args: string[] = [], command: string[] = [process.execPath, '--conditions=@pocketdock/source', '--import', 'tsx', BIN]): BinProcess {
  const child = spawn(command[0]!, [...command.slice(1), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdout = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', () => resolve(out));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr: () => err, exit };
}
