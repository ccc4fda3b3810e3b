import { stat } from 'node:fs/promises';
import type { Context } from '../context.js';

/** One place detection looks, and what was found there (`pocketdock engines --json`). */
export interface EngineCandidate {
  /** The strategy that proposed it (`settings engine.socket`, `$POCKETDOCK_SOCKET`, `/var/run/docker.sock`...). */
  source: string;
  socketPath: string | null;
  /** `selected`: what commands use; `answers`: works, but an earlier place wins; `skipped`: see `reason`. */
  status: 'selected' | 'answers' | 'skipped';
  reason: string | null;
  engine: 'docker' | 'podman' | null;
  apiVersion: string | null;
  version: string | null;
}

/** `pocketdock engines`: every candidate socket, in detection order, probed. */
export async function engines(ctx: Context): Promise<void> {
  const { EngineClient, defaultStrategies, detectionHost } = await import('@pocketdock/engine-socket');
  const pd = await ctx.pocketdock();
  const configured = pd.settings.get('engine.socket');
  const places: { source: string; paths: string[]; note?: string | undefined; configured?: boolean }[] = [];
  if (configured !== undefined) {
    const src = pd.settings.explain().find((e) => e.key === 'engine.socket')?.source ?? 'settings';
    places.push({ source: `settings engine.socket (${src}; no detection)`, paths: [configured.replace(/^unix:\/\//, '')], configured: true });
  }
  for (const strategy of defaultStrategies(detectionHost())) {
    const { candidates, note } = await strategy.resolve();
    places.push({ source: strategy.name, paths: candidates, note });
  }
  const rows: EngineCandidate[] = [];
  let selected = false;
  for (const place of places) {
    if (place.paths.length === 0) {
      rows.push({ source: place.source, socketPath: null, status: 'skipped', reason: place.note ?? 'nothing to try', engine: null, apiVersion: null, version: null });
    }
    for (const socketPath of place.paths) {
      const row: EngineCandidate = { source: place.source, socketPath, status: 'skipped', reason: null, engine: null, apiVersion: null, version: null };
      rows.push(row);
      if (rows.some((r) => r !== row && r.socketPath === socketPath)) {
        row.reason = 'already tried';
        continue;
      }
      try {
        const info = await stat(socketPath);
        if (!info.isSocket()) {
          row.reason = 'exists but is not a socket';
          continue;
        }
      } catch {
        row.reason = 'no such file';
        continue;
      }
      try {
        // 5 s: a busy Podman took longer than 2 s to answer its ping (load average ~10); a diagnosis may wait
        await using client = await EngineClient.connect({ socketPath, probeTimeoutMs: 5000, connectTimeoutMs: 5000, timeoutMs: 10_000 });
        const v = await client.json<{ Version?: string }>({ path: '/version' });
        row.engine = client.engine;
        row.apiVersion = client.apiVersion;
        row.version = v?.Version ?? null;
        // A socket named by the settings is used as it is, answering or not: detection then never runs.
        const usable = configured === undefined || place.configured === true;
        row.status = usable && !selected ? 'selected' : 'answers';
        row.reason = !usable
          ? 'answers, but not used: the settings name engine.socket'
          : selected
            ? 'answers, but an earlier place wins'
            : place.configured
              ? 'named by the settings'
              : 'first place that answers';
        selected ||= usable;
      } catch (err) {
        row.reason = `stale or not an engine (${(err as Error).message.split('\n')[0]})`;
      }
    }
  }
  if (ctx.out.json) return ctx.out.printJson(rows);
  await ctx.out.table(
    ['STATUS', 'SOCKET', 'ENGINE', 'SOURCE', 'WHY'],
    rows.map((r) => [r.status, r.socketPath ?? '-', r.engine ? `${r.engine} ${r.version ?? ''} (API ${r.apiVersion ?? '?'})` : '', r.source, r.reason ?? '']),
  );
}
