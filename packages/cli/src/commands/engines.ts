import { stat } from 'node:fs/promises';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { Context } from '../context.js';

/** One place detection looks, and what was found there (`pocketdock engines --json`). */
export interface EngineCandidate {
  /** The strategy that proposed it (`settings engine.socket`, `$POCKETDOCK_SOCKET`, `/var/run/docker.sock`...). */
  source: string;
  /** A local socket; `null` for a remote engine (see `address`) or a place with nothing to try. */
  socketPath: string | null;
  /** A remote engine as the client names it (`tcp://host:2376 (TLS)`, `ssh://user@host`), else `null`. */
  address: string | null;
  /** `selected`: what commands use; `answers`: works, but not used (see `reason`); `skipped`: see `reason`. */
  status: 'selected' | 'answers' | 'skipped';
  reason: string | null;
  engine: 'docker' | 'podman' | null;
  apiVersion: string | null;
  version: string | null;
}

/** A place to probe: local sockets, or one remote engine (which ends detection: no fallback after it). */
interface Place {
  source: string;
  paths: string[];
  remote?: { address: string; connect: () => Promise<EngineClient>; shared: boolean };
  note?: string | undefined;
  /** Named by the settings (engine.socket, engine.host or engine.context): used as it is, detection never runs. */
  configured?: boolean;
}

// 5 s: a busy Podman took longer than 2 s to answer its ping (load average ~10); a diagnosis may wait
const PROBE = { probeTimeoutMs: 5000, connectTimeoutMs: 5000, timeoutMs: 10_000 } as const;
const ADDRESS_KEYS = ['engine.socket', 'engine.host', 'engine.context'] as const;

/** `pocketdock engines`: the engine named by the settings, then every place detection looks, in order, probed. */
export async function engines(ctx: Context): Promise<void> {
  const { EngineClient, defaultStrategies, detectionHost } = await import('@pocketdock/engine-socket');
  const pd = await ctx.pocketdock();
  const key = ADDRESS_KEYS.find((k) => pd.settings.get(k) !== undefined); // at most one: the highest layer's
  const places: Place[] = [];
  if (key !== undefined) {
    const value = String(pd.settings.get(key));
    const source = `settings ${key} (${pd.settings.explain().find((e) => e.key === key)?.source ?? 'settings'}; no detection)`;
    if (key === 'engine.socket') places.push({ source, paths: [value.replace(/^unix:\/\//, '')], configured: true });
    // engine.host and engine.context: the client every command uses, with the settings' TLS and ssh keys
    else places.push({ source, paths: [], configured: true, remote: { address: key === 'engine.context' ? `context ${value}` : value, connect: () => ctx.engine(), shared: true } });
  }
  for (const strategy of defaultStrategies(detectionHost())) {
    const result = await strategy.resolve();
    const remote = result.remote;
    if (remote === undefined) {
      places.push({ source: strategy.name, paths: result.candidates, note: result.note });
      continue;
    }
    const options = { dockerHost: remote, ...(result.tls ? { tls: result.tls } : {}), ...(result.ssh ? { ssh: result.ssh } : {}), ...PROBE };
    places.push({ source: strategy.name, paths: [], remote: { address: remote, connect: () => EngineClient.connect(options), shared: false } });
  }

  const rows: EngineCandidate[] = [];
  let selected = false;
  let endedAt: string | undefined; // a remote place ends detection: later places are not used even if they answer
  const judge = (row: EngineCandidate, place: Place, client: EngineClient, version: string | undefined): void => {
    row.engine = client.engine;
    row.apiVersion = client.apiVersion;
    row.version = version ?? null;
    const usable = (key === undefined || place.configured === true) && endedAt === undefined;
    row.status = usable && !selected ? 'selected' : 'answers';
    row.reason = !usable
      ? endedAt !== undefined
        ? `answers, but not used: detection ends at ${endedAt}`
        : `answers, but not used: the settings name ${key}`
      : selected
        ? 'answers, but an earlier place wins'
        : place.configured
          ? 'named by the settings'
          : 'first place that answers';
    selected ||= usable;
  };
  const version = async (client: EngineClient): Promise<string | undefined> => (await client.json<{ Version?: string }>({ path: '/version' }))?.Version;

  for (const place of places) {
    if (place.remote !== undefined) {
      const row: EngineCandidate = { source: place.source, socketPath: null, address: place.remote.address, status: 'skipped', reason: null, engine: null, apiVersion: null, version: null };
      rows.push(row);
      try {
        const client = await place.remote.connect();
        try {
          row.address = client.address;
          judge(row, place, client, await version(client));
        } finally {
          if (!place.remote.shared) await client.close();
        }
      } catch (err) {
        row.reason = `does not answer (${(err as Error).message.split('\n')[0]})`;
      }
      if (key === undefined) endedAt ??= place.source; // named by the settings: the others say so instead
      continue;
    }
    if (place.paths.length === 0) {
      rows.push({ source: place.source, socketPath: null, address: null, status: 'skipped', reason: place.note ?? 'nothing to try', engine: null, apiVersion: null, version: null });
    }
    for (const socketPath of place.paths) {
      const row: EngineCandidate = { source: place.source, socketPath, address: null, status: 'skipped', reason: null, engine: null, apiVersion: null, version: null };
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
        await using client = await EngineClient.connect({ socketPath, ...PROBE });
        judge(row, place, client, await version(client));
      } catch (err) {
        row.reason = `stale or not an engine (${(err as Error).message.split('\n')[0]})`;
      }
    }
  }
  if (ctx.out.json) return ctx.out.printJson(rows);
  await ctx.out.table(
    ['STATUS', 'ENGINE AT', 'ENGINE', 'SOURCE', 'WHY'],
    rows.map((r) => [r.status, r.socketPath ?? r.address ?? '-', r.engine ? `${r.engine} ${r.version ?? ''} (API ${r.apiVersion ?? '?'})` : '', r.source, r.reason ?? '']),
  );
}
