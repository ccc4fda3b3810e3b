import type { Context } from '../context.js';
import { seconds } from '../parse.js';
import { spin } from '../spinner.js';
import { target } from './target.js';
import { containerRow, printContainers } from './rows.js';

/** `pocketdock list`: the managed containers (of `--project`). */
export async function list(ctx: Context): Promise<void> {
  const { listContainers } = await import('@pocketdock/container-sdk');
  const project = await ctx.project();
  const all = await listContainers({ engine: await ctx.engine(), ...(project !== undefined ? { project } : {}) });
  const rows = all.map(containerRow);
  if (ctx.out.json) return ctx.out.printJson(rows);
  await printContainers(ctx, rows);
}

/** `pocketdock info C`. */
export async function info(ctx: Context, [name]: unknown[]): Promise<void> {
  const c = await target(ctx, name as string);
  const i = await c.info();
  // every field present, null when unknown: stable names for scripts
  if (ctx.out.json) return ctx.out.printJson(Object.fromEntries(Object.entries(i).map(([k, v]) => [k, v ?? null])));
  const { processes, ...rest } = i as unknown as Record<string, unknown> & { processes?: { pid: number; user: string; command: string }[] };
  const width = Math.max(...Object.keys(rest).map((k) => k.length));
  for (const [k, v] of Object.entries(rest)) {
    ctx.out.line(`${k.padEnd(width)}  ${show(v)}`);
  }
  if (processes && processes.length > 0) {
    ctx.out.line('');
    await ctx.out.table(['PID', 'USER', 'COMMAND'], processes.map((p) => [String(p.pid), p.user, p.command]));
  }
}

/** `pocketdock stop C`. */
export async function stop(ctx: Context, [name]: unknown[], options: Record<string, unknown>): Promise<void> {
  const { stopContainer } = await import('@pocketdock/container-sdk');
  const timeoutMs = seconds(options.timeout as string | undefined, '--timeout');
  const engine = await ctx.engine();
  await spin(ctx.out, `stopping ${name as string}`, () => stopContainer(name as string, { engine, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }));
  done(ctx, name as string, 'stopped');
}

/** `pocketdock resume C`. */
export async function resume(ctx: Context, [name]: unknown[]): Promise<void> {
  const { resumeContainer } = await import('@pocketdock/container-sdk');
  const engine = await ctx.engine();
  await spin(ctx.out, `starting ${name as string}`, () => resumeContainer(name as string, { engine }));
  done(ctx, name as string, 'running');
}

/** `pocketdock shutdown C`: removed, running or not. */
export async function shutdown(ctx: Context, [name]: unknown[]): Promise<void> {
  const { destroyContainer } = await import('@pocketdock/container-sdk');
  const { clearHistory } = await import('../history-store.js');
  const c = await target(ctx, name as string);
  await spin(ctx.out, `removing ${c.name}`, () => destroyContainer(c.id, { engine: c.engine }));
  await clearHistory(c.id).catch(() => undefined);
  done(ctx, name as string, 'removed');
}

function done(ctx: Context, name: string, state: 'stopped' | 'running' | 'removed'): void {
  if (ctx.out.json) ctx.out.printJson({ name, state });
  else ctx.out.info(`${name}: ${state}`);
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}
