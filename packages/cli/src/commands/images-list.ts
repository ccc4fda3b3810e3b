import type { EngineClient } from '@pocketdock/engine-socket';

/** An image pocketdock made (label `pocketdock.image=true`), as `status --json` and `profiles --json` print it. */
export interface ImageRow {
  id: string;
  tags: string[];
  sizeBytes: number;
  createdAt: string;
  profile: string | null;
}

interface Summary {
  Id: string;
  RepoTags?: string[] | null;
  Size: number;
  Created: number;
  Labels?: Record<string, string> | null;
}

/** Podman names local images `localhost/x`: shown as `x`, as they were asked for. */
export function shortTag(tag: string): string {
  return tag.startsWith('localhost/') ? tag.slice('localhost/'.length) : tag;
}

export async function pocketdockImages(engine: EngineClient): Promise<ImageRow[]> {
  const all = await engine.json<Summary[]>({ path: '/images/json', query: { filters: JSON.stringify({ label: ['pocketdock.image=true'] }) } });
  return all.map((i) => ({
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map(shortTag),
    sizeBytes: i.Size,
    createdAt: new Date(i.Created * 1000).toISOString(),
    profile: i.Labels?.['pocketdock.profile'] ?? null,
  }));
}
