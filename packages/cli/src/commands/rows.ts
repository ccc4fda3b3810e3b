import type { ManagedContainer } from '@pocketdock/container-sdk';
import type { Context } from '../context.js';

/** A container as `list --json` and `prune --json` print it. */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  status: string;
  running: boolean;
  persist: boolean;
  project: string | null;
  createdAt: string;
}

export function containerRow(c: ManagedContainer): ContainerRow {
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    status: c.status,
    running: c.running,
    persist: c.persist,
    project: c.project ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

export async function printContainers(ctx: Context, rows: ContainerRow[]): Promise<void> {
  await ctx.out.table(
    ['NAME', 'STATUS', 'IMAGE', 'PROJECT', 'CREATED', 'ID'],
    rows.map((r) => [r.name, r.status, r.image, r.project ?? '', r.createdAt.replace('T', ' ').slice(0, 19), r.id.slice(0, 12)]),
  );
}
