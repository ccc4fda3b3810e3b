import type { ManagedContainer } from '@pocketdock/container-sdk';
import type { Context } from '../context.js';

/** A pool's container, as `pool ls --json` and `pool prune --json` print it. */
export interface PoolRow {
  id: string;
  name: string;
  pool: string;
  image: string;
  status: string;
  running: boolean;
  createdAt: string;
}

const POOL_LABEL = 'pocketdock.pool';

async function poolContainers(ctx: Context, pool: string | undefined): Promise<ManagedContainer[]> {
  const { listContainers } = await import('@pocketdock/container-sdk');
  const all = await listContainers({ engine: await ctx.engine() });
  return all.filter((c) => c.labels[POOL_LABEL] !== undefined && (pool === undefined || c.labels[POOL_LABEL] === pool));
}

function row(c: ManagedContainer): PoolRow {
  return { id: c.id, name: c.name, pool: c.labels[POOL_LABEL]!, image: c.image, status: c.status, running: c.running, createdAt: c.createdAt.toISOString() };
}

async function print(ctx: Context, rows: PoolRow[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(rows);
  await ctx.out.table(
    ['POOL', 'NAME', 'STATUS', 'IMAGE', 'CREATED', 'ID'],
    rows.map((r) => [r.pool, r.name, r.status, r.image, r.createdAt.replace('T', ' ').slice(0, 19), r.id.slice(0, 12)]),
  );
}

/** `pocketdock pool ls [pool]`. */
export async function poolList(ctx: Context, [pool]: unknown[]): Promise<void> {
  await print(ctx, (await poolContainers(ctx, pool as string | undefined)).map(row));
}

/**
 * `pocketdock pool prune [pool] [--stopped]`: removes the pool's containers (running ones too, unless `--stopped`):
 * what a pool process that died left behind. A pool still running in some process loses them under its feet.
 */
export async function poolPrune(ctx: Context, [pool]: unknown[], options: Record<string, unknown>): Promise<void> {
  const { destroyContainer } = await import('@pocketdock/container-sdk');
  const victims = (await poolContainers(ctx, pool as string | undefined)).filter((c) => options.stopped !== true || !c.running);
  const removed: PoolRow[] = [];
  for (const c of victims) {
    try {
      await destroyContainer(c.id, { engine: await ctx.engine() });
      removed.push(row(c));
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'CONTAINER_NOT_FOUND') throw err; // gone meanwhile: fine
    }
  }
  if (!ctx.out.json && removed.length === 0) return ctx.out.info('nothing to prune');
  await print(ctx, removed);
}
