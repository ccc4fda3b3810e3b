import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** uid and gid of `nobody`: a real other user for the tests (they run as root). */
export const NOBODY = 65534;

/** Runs `code` (CommonJS) in a node process as `nobody`, to its end; throws with its stderr when it fails. */
export function runAsNobody(code: string, ...args: string[]): void {
  const result = spawnSync(process.execPath, ['-e', code, '--', ...args], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`as nobody: ${result.stderr || String(result.error)}`);
}

/** Processes started by {@link serveAsNobody}, killed by {@link killAll}. */
const running = new Set<ChildProcess>();

/**
 * A Unix socket server run by `nobody` at `path` (an impostor): it accepts connections and keeps them open.
 * Resolves once it listens, with the count of connections it has had so far.
 */
export async function serveAsNobody(path: string): Promise<{ connections: () => number }> {
  const code = `require('net').createServer((s) => { console.log('conn'); s.on('error', () => {}); }).listen(process.argv[1], () => console.log('up'));`;
  const child = spawn(process.execPath, ['-e', code, '--', path], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const stderr: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (status) => reject(new Error(`impostor exited (${status}): ${Buffer.concat(stderr).toString()}`)));
  });
  return { connections: () => out.split('\n').filter((line) => line === 'conn').length };
}

/** Kills every process {@link serveAsNobody} started and waits for them to exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          running.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
