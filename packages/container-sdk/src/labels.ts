/** The labels on everything pocketdock creates. */
export const LABELS = {
  managed: 'pocketdock.managed',
  instance: 'pocketdock.instance',
  persist: 'pocketdock.persist',
  createdAt: 'pocketdock.created-at',
  project: 'pocketdock.project',
  /** On images pocketdock builds (containers inherit image labels, so images never carry `managed`). */
  image: 'pocketdock.image',
} as const;

export function containerLabels(opts: { instance: string; persist: boolean; project?: string | undefined; extra: Record<string, string> }): Record<string, string> {
  return {
    ...opts.extra,
    [LABELS.managed]: 'true',
    [LABELS.instance]: opts.instance,
    [LABELS.persist]: String(opts.persist),
    [LABELS.createdAt]: new Date().toISOString(),
    ...(opts.project ? { [LABELS.project]: opts.project } : {}),
  };
}
