import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { startProgress } from '../progress.js';
import type { Progress } from '../progress.js';
import { target } from './target.js';

/** `pocketdock push C host-path container-path`: a bar with bytes, rate and ETA on a terminal. */
export async function push(ctx: Context, [name, from, to]: unknown[]): Promise<void> {
  const c = await target(ctx, name as string);
  const started = performance.now();
  await withBar(ctx, `push ${name as string}:${to as string}`, (onProgress) => c.push(resolve(from as string), to as string, onProgress ? { onProgress } : {}));
  done(ctx, from as string, `${name as string}:${to as string}`, started);
}

/** `pocketdock pull C container-path host-path`: a bar with bytes, rate and ETA on a terminal. */
export async function pull(ctx: Context, [name, from, to]: unknown[]): Promise<void> {
  const c = await target(ctx, name as string);
  const started = performance.now();
  await withBar(ctx, `pull ${name as string}:${from as string}`, (onProgress) => c.pull(from as string, resolve(to as string), onProgress ? { onProgress } : {}));
  done(ctx, `${name as string}:${from as string}`, to as string, started);
}

/** Runs the copy with a bar when one is drawn; otherwise without `onProgress` (the copy counts nothing). */
async function withBar(ctx: Context, label: string, copy: (onProgress?: (done: number, total?: number) => void) => Promise<void>): Promise<void> {
  const shown = ctx.out.stderr.isTTY === true && !ctx.out.quiet && !ctx.out.json;
  if (!shown) return copy();
  const progress: Progress = await startProgress(ctx.out, label);
  try {
    await copy((doneBytes, total) => progress.update(doneBytes, total));
  } finally {
    progress.stop();
  }
}

function done(ctx: Context, source: string, destination: string, started: number): void {
  const durationMs = Math.round(performance.now() - started);
  if (ctx.out.json) ctx.out.printJson({ source, destination, durationMs });
  else ctx.out.info(`${source} -> ${destination} (${durationMs} ms)`);
}
