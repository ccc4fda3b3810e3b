import type { Context } from '../context.js';
import { formatBytes } from '../progress.js';
import { pocketdockImages } from './images-list.js';
import type { ImageRow } from './images-list.js';

/** `pocketdock status --json`. */
export interface StatusDocument {
  engine: { name: string; version: string | null; apiVersion: string; socketPath: string };
  project: string | null;
  containers: { running: number; stopped: number; persistent: number };
  pools: { name: string; containers: number }[];
  images: ImageRow[];
}

/** `pocketdock status`: the engine in use, the containers by state, the pools and the images pocketdock made. */
export async function status(ctx: Context): Promise<void> {
  const { listContainers } = await import('@pocketdock/container-sdk');
  const engine = await ctx.engine();
  const project = await ctx.project();
  const [version, containers, images] = await Promise.all([
    engine.json<{ Version?: string }>({ path: '/version' }),
    listContainers({ engine, ...(project !== undefined ? { project } : {}) }),
    pocketdockImages(engine),
  ]);
  const pools = new Map<string, number>();
  for (const c of containers) {
    const pool = c.labels['pocketdock.pool'];
    if (pool !== undefined) pools.set(pool, (pools.get(pool) ?? 0) + 1);
  }
  const doc: StatusDocument = {
    engine: { name: engine.engine, version: version.Version ?? null, apiVersion: engine.apiVersion, socketPath: engine.socketPath },
    project: project ?? null,
    containers: {
      running: containers.filter((c) => c.running).length,
      stopped: containers.filter((c) => !c.running).length,
      persistent: containers.filter((c) => c.persist).length,
    },
    pools: [...pools].map(([name, n]) => ({ name, containers: n })),
    images,
  };
  if (ctx.out.json) return ctx.out.printJson(doc);
  const e = doc.engine;
  ctx.out.line(`engine      ${e.name} ${e.version ?? '?'} (API ${e.apiVersion}) at ${e.socketPath}`);
  ctx.out.line(`project     ${doc.project ?? '(all)'}`);
  ctx.out.line(`containers  ${doc.containers.running} running, ${doc.containers.stopped} stopped (${doc.containers.persistent} persistent)`);
  ctx.out.line(`pools       ${doc.pools.length === 0 ? 'none' : doc.pools.map((p) => `${p.name} (${p.containers})`).join(', ')}`);
  ctx.out.line('');
  await ctx.out.table(
    ['IMAGE', 'PROFILE', 'SIZE', 'CREATED', 'ID'],
    images.map((i) => [i.tags.join(', ') || '<untagged>', i.profile ?? '', formatBytes(i.sizeBytes), i.createdAt.replace('T', ' ').slice(0, 19), i.id.replace(/^sha256:/, '').slice(0, 12)]),
  );
}
