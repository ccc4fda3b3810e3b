import { ContainerError } from '../errors.js';
import type { ExecSpec } from './exec-handle.js';

/** A command: a string runs with `sh -c`; an argv array runs as is, no shell. */
export type Command = string | readonly string[];

/**
 * The exec spec of a run: `cmd` as argv (a string through `sh -c`), the run's env over the container's, and its
 * workdir and user, else the container's. A command that is not a string or a non-empty array of strings, or that
 * holds a NUL byte, is `CONTAINER_INVALID_OPTIONS`.
 */
export function execSpec(
  cmd: Command,
  run: { env: Record<string, string>; workdir?: string | undefined; user?: string | undefined },
  container: { env: Record<string, string>; workdir?: string | undefined; user?: string | undefined },
): ExecSpec {
  let argv: string[];
  if (typeof cmd === 'string') argv = ['sh', '-c', cmd];
  else if (Array.isArray(cmd) && cmd.length > 0 && cmd.every((a) => typeof a === 'string')) argv = [...cmd];
  else throw new ContainerError('CONTAINER_INVALID_OPTIONS', 'cmd must be a string or a non-empty array of strings');
  // The kernel takes each argument as a C string: the engines failed such a run with their own text and exit 1.
  const nul = argv.findIndex((a) => a.includes('\0'));
  if (nul >= 0) {
    const where = typeof cmd === 'string' ? 'the command string' : `argument ${nul} (${JSON.stringify(argv[nul]!.slice(0, 40))})`;
    throw new ContainerError('CONTAINER_INVALID_OPTIONS', `cmd: ${where} contains a NUL byte, which no process argument can hold`);
  }
  return { argv, env: { ...container.env, ...run.env }, workdir: run.workdir ?? container.workdir, user: run.user ?? container.user };
}
