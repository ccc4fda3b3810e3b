/** The labels on everything pocketdock creates. */
export const LABELS = {
  managed: 'pocketdock.managed',
  instance: 'pocketdock.instance',
  persist: 'pocketdock.persist',
  createdAt: 'pocketdock.created-at',
  project: 'pocketdock.project',
  /** On images pocketdock builds (containers inherit image labels, so images never carry `managed`). */
  image: 'pocketdock.image',
  /** On self-reaping sandboxes: their `ttlMs` and `idleTimeoutMs` (an opened handle learns them here). */
  ttlMs: 'pocketdock.ttl-ms',
  idleTimeoutMs: 'pocketdock.idle-timeout-ms',
} as const;

export function containerLabels(opts: {
  instance: string;
  persist: boolean;
  project?: string | undefined;
  extra: Record<string, string>;
  ttlMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
}): Record<string, string> {
  return {
    ...opts.extra,
    [LABELS.managed]: 'true',
    [LABELS.instance]: opts.instance,
    [LABELS.persist]: String(opts.persist),
    [LABELS.createdAt]: new Date().toISOString(),
    ...(opts.project ? { [LABELS.project]: opts.project } : {}),
    ...(opts.ttlMs ? { [LABELS.ttlMs]: String(opts.ttlMs) } : {}),
    ...(opts.idleTimeoutMs ? { [LABELS.idleTimeoutMs]: String(opts.idleTimeoutMs) } : {}),
  };
}
