import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { target } from './target.js';

/** `pocketdock push C host-path container-path`. */
export async function push(ctx: Context, [name, from, to]: unknown[]): Promise<void> {
  const c = await target(ctx, name as string);
  const started = performance.now();
  await c.push(resolve(from as string), to as string);
  done(ctx, from as string, `${name as string}:${to as string}`, started);
}

/** `pocketdock pull C container-path host-path`. */
export async function pull(ctx: Context, [name, from, to]: unknown[]): Promise<void> {
  const c = await target(ctx, name as string);
  const started = performance.now();
  await c.pull(from as string, resolve(to as string));
  done(ctx, `${name as string}:${from as string}`, to as string, started);
}

function done(ctx: Context, source: string, destination: string, started: number): void {
  const durationMs = Math.round(performance.now() - started);
  if (ctx.out.json) ctx.out.printJson({ source, destination, durationMs });
  else ctx.out.info(`${source} -> ${destination} (${durationMs} ms)`);
}
