import type { Context } from '../context.js';
import { isRunning, stopped, target } from './target.js';

/** bash when the image has it, else sh; `exec`, so the shell's status is the exec's. */
export const SHELL_COMMAND = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/** `pocketdock shell C`: an interactive shell on a real terminal. */
export async function shell(ctx: Context, [name]: unknown[], options: Record<string, unknown>): Promise<number> {
  const { ttyExec } = await import('../tty-exec.js');
  const c = await target(ctx, name as string);
  if (!(await isRunning(c))) throw stopped(name as string);
  return ttyExec(c, SHELL_COMMAND, {
    interactive: true,
    workdir: options.workdir as string | undefined,
    user: options.user as string | undefined,
  });
}
