import type { EngineClient } from '@pocketdock/engine-socket';
import { create, KEEP_ALIVE_COMMAND, selfReaping } from '../create-container.js';
import { containerError } from '../engine-errors.js';
import { containerName, imageName } from '../engine-names.js';
import { LABELS } from '../labels.js';
import type { ResolvedCreateOptions } from '../options.js';

interface Inspect {
  Name: string;
  Config: { Image: string; Env?: string[] | null; Cmd?: string[] | null; WorkingDir?: string; User?: string; Labels?: Record<string, string> | null };
  HostConfig: {
    Memory?: number;
    NanoCpus?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    PidsLimit?: number | null;
    NetworkMode?: string;
    Binds?: string[] | null;
    PortBindings?: Record<string, { HostPort?: string }[] | null> | null;
    Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
  };
}

interface ImageInspect {
  Config?: { Env?: string[] | null; Labels?: Record<string, string> | null } | null;
}

/** pocketdock's own labels: set again by `create`, never copied as extra labels. */
const OWN = new Set<string>(Object.values(LABELS));

function envOf(list: string[] | null | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** What differs from the image: a value the image also has (inherited) is not the container's own. */
function ownOf(container: Record<string, string>, image: Record<string, string>, skip: (key: string) => boolean = () => false): Record<string, string> {
  return Object.fromEntries(Object.entries(container).filter(([k, v]) => !skip(k) && image[k] !== v));
}

/**
 * The options the container `id` was created with, read back from the engine (inspect of the container and of its
 * image) over `known` (a handle's options: callbacks, timeouts, and what an opened handle could not know). So a
 * handle from `openContainer()` recreates the container as `createNewContainer()` made it: image, name, env, main
 * process, workdir, user, limits, network, volumes, ports, devices and labels.
 */
export async function creationOptions(engine: EngineClient, id: string, known: ResolvedCreateOptions): Promise<ResolvedCreateOptions> {
  const c = await engine.json<Inspect>({ path: `/containers/${id}/json` });
  const image = await engine.json<ImageInspect>({ path: `/images/${encodeURIComponent(c.Config.Image)}/json` }).catch((): ImageInspect => ({}));
  const h = c.HostConfig;
  const labels = c.Config.Labels ?? {};
  const cpuPercent = h.NanoCpus ? h.NanoCpus / 1e7 : h.CpuQuota && h.CpuPeriod ? (h.CpuQuota / h.CpuPeriod) * 100 : undefined;
  const cmd = c.Config.Cmd ?? [];
  // The keep-alive and the reaper are made again by `create`; any other main process was asked for.
  const reaping = selfReaping(known) || labels[LABELS.ttlMs] !== undefined || labels[LABELS.idleTimeoutMs] !== undefined;
  const command = reaping || cmd.length === 0 || cmd.join('\0') === KEEP_ALIVE_COMMAND.join('\0') ? undefined : cmd;
  return {
    ...known,
    image: imageName(c.Config.Image),
    name: containerName(c.Name),
    env: ownOf(envOf(c.Config.Env), envOf(image.Config?.Env)),
    labels: ownOf(labels, image.Config?.Labels ?? {}, (k) => OWN.has(k)),
    command,
    workdir: c.Config.WorkingDir || undefined,
    user: c.Config.User || undefined,
    memLimit: h.Memory || undefined,
    cpuPercent,
    pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : known.pidsLimit,
    network: h.NetworkMode || known.network,
    volumes: Object.fromEntries(
      (h.Binds ?? []).map((b) => {
        const [host = '', path = '', flags = ''] = b.split(':');
        return [host, { path, readOnly: flags.split(',').includes('ro') }];
      }),
    ),
    ports: Object.fromEntries(Object.entries(h.PortBindings ?? {}).map(([port, bindings]) => [port, Number(bindings?.[0]?.HostPort ?? 0)])),
    devices: (h.Devices ?? []).map((d) => `${d.PathOnHost}:${d.PathInContainer}:${d.CgroupPermissions}`),
    persist: labels[LABELS.persist] === 'true',
    project: labels[LABELS.project] ?? known.project,
  };
}

/**
 * `reboot({ fresh: true })`: reads the container's creation options back, removes it (so its name is free), and
 * creates and starts a new one with those options under the same name. `known` (the handle's options) is updated
 * in place with what was read back; returns the new id and name.
 */
export async function rebootFresh(engine: EngineClient, current: { id: string; name: string }, known: ResolvedCreateOptions): Promise<{ id: string; name: string }> {
  try {
    // Gone already (removed behind the handle's back): made again from what the handle knows.
    const options = await creationOptions(engine, current.id, known).catch((err: unknown) => {
      if (containerError(err, 'inspect').code === 'CONTAINER_NOT_FOUND') return { ...known, name: known.name ?? current.name };
      throw err;
    });
    await engine.json({ method: 'DELETE', path: `/containers/${current.id}`, query: { force: true, v: true } }).catch((err: unknown) => {
      if (containerError(err, 'remove').code !== 'CONTAINER_NOT_FOUND') throw err;
    });
    const id = await create(engine, options);
    await engine.json({ method: 'POST', path: `/containers/${id}/start` });
    const info = await engine.json<{ Name: string }>({ path: `/containers/${id}/json` });
    Object.assign(known, options);
    return { id, name: containerName(info.Name) };
  } catch (err) {
    throw containerError(err, `reboot ${current.name} (fresh)`);
  }
}
