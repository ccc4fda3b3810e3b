import type { EngineClient } from '@pocketdock/engine-socket';
import { Container } from './container.js';
import { containerError } from './engine-errors.js';
import { containerName, imageName } from './engine-names.js';
import { stopById } from './stop.js';
import { ContainerError } from './errors.js';
import { LABELS } from './labels.js';
import { lazySchema } from './lazy-schema.js';
import { MAX_TIMEOUT_MS, createOptionsSchema, engineOptionsSchema, parseOptions } from './options.js';
import { connectEngine, withEngine } from './with-engine.js';
import type { EngineOptions } from './with-engine.js';

/** A container pocketdock manages, as `listContainers()` reports it. */
export interface ManagedContainer {
  id: string;
  name: string;
  image: string;
  /** The engine's state: `running`, `exited`, `created`... */
  status: string;
  running: boolean;
  persist: boolean;
  project: string | undefined;
  createdAt: Date;
  labels: Record<string, string>;
}

const listOptions = lazySchema((z) => engineOptionsSchema(z, { project: z.string().min(1).optional() }));
const handleOptions = lazySchema((z) => engineOptionsSchema(z, { timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS).optional() }));
const stopOptions = lazySchema((z) => engineOptionsSchema(z, { timeoutMs: z.number().int().min(0).max(MAX_TIMEOUT_MS).optional() }));
const destroyOptions = lazySchema((z) => engineOptionsSchema(z, {}));
const pruneOptions = lazySchema((z) => engineOptionsSchema(z, { project: z.string().min(1).optional(), olderThanMs: z.number().min(0).optional() }));

interface Summary {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Created: number;
  Labels?: Record<string, string> | null;
}

interface Inspect {
  Id: string;
  Name: string;
  Config: { Image: string; Labels?: Record<string, string> | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  State: { Running: boolean; Status: string };
}

function toManaged(c: Summary): ManagedContainer {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: containerName(c.Names?.[0] ?? ''),
    image: imageName(c.Image),
    status: c.State,
    running: c.State === 'running',
    persist: labels[LABELS.persist] === 'true',
    project: labels[LABELS.project],
    createdAt: new Date(c.Created * 1000),
    labels,
  };
}

async function listManaged(engine: EngineClient, project?: string): Promise<ManagedContainer[]> {
  const label = [`${LABELS.managed}=true`, ...(project ? [`${LABELS.project}=${project}`] : [])];
  try {
    const list = await engine.json<Summary[]>({ path: '/containers/json', query: { all: true, filters: { label } } });
    // Filter again here: a label filter the engine ignored must never widen what we touch.
    return list.map(toManaged).filter((c) => c.labels[LABELS.managed] === 'true' && (!project || c.project === project));
  } catch (err) {
    throw containerError(err, 'list containers');
  }
}

/** The managed container called (or with the id) `name`; anything else is `CONTAINER_NOT_FOUND` / `CONTAINER_NOT_MANAGED`. */
async function findManaged(engine: EngineClient, name: string): Promise<Inspect> {
  let info: Inspect;
  try {
    info = await engine.json<Inspect>({ path: `/containers/${encodeURIComponent(name)}/json` });
  } catch (err) {
    throw containerError(err, `find container ${name}`);
  }
  if (info.Config.Labels?.[LABELS.managed] !== 'true') {
    throw new ContainerError('CONTAINER_NOT_MANAGED', `container ${name} was not created by pocketdock: it is left alone`);
  }
  return info;
}

/**
 * The containers pocketdock manages (label `pocketdock.managed=true`), running or not; with `project`, only that
 * project's.
 *
 * @example
 * for (const c of await listContainers({ project: 'tutor' })) console.log(c.name, c.status);
 */
export async function listContainers(options: EngineOptions & { project?: string } = {}): Promise<ManagedContainer[]> {
  parseOptions(listOptions, options, 'listContainers');
  return withEngine(options, (engine) => listManaged(engine, options.project));
}

/**
 * Starts a stopped managed container (typically a `persist` one) and returns it as a `Container`; a running one
 * is returned as it is. Its files are as they were; processes and sessions from before are gone.
 */
export function resumeContainer(name: string, options: EngineOptions & { timeoutMs?: number } = {}): Promise<Container> {
  return handleOf(name, options, true);
}

/**
 * A `Container` for a managed container as it is, never starting it (for `info()`, files, or runs when it is
 * running; a stopped one answers `CONTAINER_NOT_RUNNING` to runs). Use `resumeContainer` to start it.
 */
export function openContainer(name: string, options: EngineOptions & { timeoutMs?: number } = {}): Promise<Container> {
  return handleOf(name, options, false);
}

async function handleOf(name: string, options: EngineOptions & { timeoutMs?: number }, start: boolean): Promise<Container> {
  parseOptions(handleOptions, options, start ? 'resumeContainer' : 'openContainer');
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? (await connectEngine(options.socketPath));
  try {
    const info = await findManaged(engine, name);
    if (start && !info.State.Running) await engine.json({ method: 'POST', path: `/containers/${info.Id}/start` });
    const labels = info.Config.Labels ?? {};
    const env = Object.fromEntries((info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const opts = parseOptions(
      createOptionsSchema,
      {
        image: imageName(info.Config.Image),
        persist: labels[LABELS.persist] === 'true',
        ...(labels[LABELS.project] ? { project: labels[LABELS.project] } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        env,
        ...(info.Config.WorkingDir ? { workdir: info.Config.WorkingDir } : {}),
        // A self-reaping sandbox: the handle can keepAlive/extendTtl and say CONTAINER_EXPIRED (it holds no lifeline).
        ...msLabel('ttlMs', labels[LABELS.ttlMs]),
        ...msLabel('idleTimeoutMs', labels[LABELS.idleTimeoutMs]),
      },
      start ? 'resumeContainer' : 'openContainer',
    );
    return new Container(engine, info.Id, containerName(info.Name), opts, ownsEngine);
  } catch (err) {
    if (ownsEngine) await engine.close();
    throw containerError(err, `${start ? 'resume' : 'open'} ${name}`);
  }
}

function msLabel(key: 'ttlMs' | 'idleTimeoutMs', value: string | undefined): Record<string, number> {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n >= 1000 ? { [key]: n } : {};
}

/** Stops a managed container (kept). Already stopped: nothing to do. */
export async function stopContainer(name: string, options: EngineOptions & { timeoutMs?: number } = {}): Promise<void> {
  parseOptions(stopOptions, options, 'stopContainer');
  return withEngine(options, async (engine) => {
    const info = await findManaged(engine, name);
    await stopById(engine, info.Id, options.timeoutMs ?? 2_000, `stop ${name}`);
  });
}

/** Removes a managed container, running or not (force), with its anonymous volumes. */
export async function destroyContainer(name: string, options: EngineOptions = {}): Promise<void> {
  parseOptions(destroyOptions, options, 'destroyContainer');
  return withEngine(options, async (engine) => {
    const info = await findManaged(engine, name);
    try {
      await engine.json({ method: 'DELETE', path: `/containers/${info.Id}`, query: { force: true, v: true } });
    } catch (err) {
      throw containerError(err, `destroy ${name}`);
    }
  });
}

/**
 * Removes managed containers that are not running (and, with `olderThanMs`, were created at least that long
 * ago); with `project`, only that project's. Never touches running containers or ones pocketdock did not create.
 * Returns what it removed.
 */
export async function prune(options: EngineOptions & { project?: string; olderThanMs?: number } = {}): Promise<ManagedContainer[]> {
  parseOptions(pruneOptions, options, 'prune');
  return withEngine(options, async (engine) => {
    const cutoff = Date.now() - (options.olderThanMs ?? 0);
    const victims = (await listManaged(engine, options.project)).filter((c) => !c.running && c.createdAt.getTime() <= cutoff);
    const removed: ManagedContainer[] = [];
    for (const c of victims) {
      try {
        await engine.json({ method: 'DELETE', path: `/containers/${c.id}`, query: { v: true } });
        removed.push(c);
      } catch (err) {
        const e = containerError(err, `prune ${c.name}`);
        if (e.code !== 'CONTAINER_NOT_FOUND' && e.code !== 'CONTAINER_NOT_RUNNING') throw e; // started meanwhile: kept
      }
    }
    return removed;
  });
}
