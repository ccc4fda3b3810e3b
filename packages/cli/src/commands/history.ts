import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { clearHistory, readHistory } from '../history-store.js';
import { target } from './target.js';

/** `pocketdock history C`: what `pocketdock run` ran in it (kept on this host, per container). */
export async function history(ctx: Context, [name]: unknown[], options: Record<string, unknown>): Promise<void> {
  const tail = options.tail as string | undefined;
  if (tail !== undefined && !/^\d+$/.test(tail)) throw new CliError('CLI_INVALID_ARGUMENT', `--tail ${tail}: expected a number of entries`);
  const c = await target(ctx, name as string);
  if (options.clear === true) {
    await clearHistory(c.id);
    if (ctx.out.json) return ctx.out.printJson({ name: c.name, cleared: true });
    return ctx.out.info(`${c.name}: history cleared`);
  }
  let entries = await readHistory(c.id);
  if (tail !== undefined) entries = entries.slice(Math.max(0, entries.length - Number(tail)));
  if (ctx.out.json) return ctx.out.printJson(entries);
  await ctx.out.table(
    ['TIME', 'EXIT', 'DURATION', 'COMMAND'],
    entries.map((e) => [e.time.replace('T', ' ').slice(0, 19), e.timedOut ? 'timeout' : String(e.exitCode), `${e.durationMs} ms`, e.argv.map(quote).join(' ')]),
  );
}

/** argv as a shell would need it typed. */
export function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
