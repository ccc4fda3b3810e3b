import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { parseSince } from './logs.js';
import { spin } from '../spinner.js';
import { target } from './target.js';
import { containerRow, printContainers } from './rows.js';

/**
 * `pocketdock reboot C`: restarted in place (files kept); a stopped one is started, as asked. `--fresh`: replaced by
 * a new container with the options it was created with (files gone, a new id, the same name).
 */
export async function reboot(ctx: Context, [name]: unknown[], options: Record<string, unknown>): Promise<void> {
  const c = await target(ctx, name as string);
  const fresh = options.fresh === true;
  await spin(ctx.out, `${fresh ? 'replacing' : 'restarting'} ${c.name}`, () => c.reboot(fresh ? { fresh } : {}));
  if (ctx.out.json) ctx.out.printJson({ name: c.name, id: c.id, state: 'running' });
  else ctx.out.info(`${c.name}: running${fresh ? ` (a new container, ${c.id.slice(0, 12)})` : ''}`);
}

/** `pocketdock snapshot C ref`: the container's files as an image. */
export async function snapshot(ctx: Context, [name, ref]: unknown[]): Promise<void> {
  const { isImageRef } = await import('@pocketdock/container-sdk');
  if (!isImageRef(ref)) throw new CliError('CLI_INVALID_ARGUMENT', `snapshot ${ref as string}: not an image reference`, 'use lower case repo[:tag], e.g. mybox:v1');
  const c = await target(ctx, name as string);
  const id = await spin(ctx.out, `saving ${c.name} as ${ref}`, () => c.snapshot(ref));
  if (ctx.out.json) ctx.out.printJson({ name: c.name, image: ref, id });
  else ctx.out.line(id);
}

/** `pocketdock prune [--older-than age]`: removes managed containers that are not running; lists them. */
export async function prune(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<void> {
  const { prune: pruneContainers } = await import('@pocketdock/container-sdk');
  const age = options.olderThan as string | undefined;
  if (age !== undefined && !/^\d+(\.\d+)?[smhd]$/.test(age)) throw new CliError('CLI_INVALID_ARGUMENT', `--older-than ${age}: expected an age such as 90s, 10m, 2h, 1d`);
  const now = Date.now();
  const olderThanMs = age === undefined ? undefined : now - parseSince(age, now) * 1000;
  const project = await ctx.project();
  const engine = await ctx.engine();
  const removed = await spin(ctx.out, 'removing stopped containers', () => pruneContainers({ engine, ...(project !== undefined ? { project } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}) }));
  const rows = removed.map(containerRow);
  if (ctx.out.json) return ctx.out.printJson(rows);
  if (rows.length === 0) return ctx.out.info('nothing to prune');
  await printContainers(ctx, rows);
}
