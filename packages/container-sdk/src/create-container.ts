import { randomBytes } from 'node:crypto';
import type { EngineClient } from '@pocketdock/engine-socket';
import { Container, START_LIFELINE } from './container.js';
import type { ContainerCallbacks } from './container.js';
import { containerError } from './engine-errors.js';
import { ContainerError } from './errors.js';
import { containerName } from './engine-names.js';
import { assertImageRef } from './image-ref.js';
import { containerLabels, LABELS } from './labels.js';
import { createOutcomeUnknown, sweepByLabels } from './lifecycle/orphan-sweep.js';
import { reaperCommand } from './lifecycle/reaper.js';
import { createOptionsSchema, parseOptions, selfReapingConflict } from './options.js';
import type { CreateContainerOptions, ResolvedCreateOptions } from './options.js';
import { connectEngine } from './with-engine.js';

/** The command that keeps a sandbox alive (under its init process) until it is stopped. */
export const KEEP_ALIVE_COMMAND = ['sleep', 'infinity'];

const CALLBACK_KEYS = ['onStdout', 'onStderr', 'onExit', 'onCallbackError'];

/** Options of {@link createNewContainer}: see the package README for each one. */
export type NewContainerOptions = CreateContainerOptions & ContainerCallbacks;

/**
 * Creates and starts a sandbox container: offline (`network: 'none'`) unless asked, with an init process (so a stop
 * takes a fraction of a second) and at most 1024 processes (`pidsLimit`), labelled `pocketdock.managed`, `.instance`,
 * `.persist`, `.created-at` and, when given, `.project`. A malformed `image` is `IMAGE_INVALID`, an unknown option
 * `CONTAINER_INVALID_OPTIONS` naming the closest valid one, an engine that cannot be reached `CONTAINER_ENGINE_ERROR`.
 *
 * @example
 * await using c = await createNewContainer({ image: 'pocketdock/busybox:test', memLimit: '256m' });
 * console.log((await c.run('uname -a')).stdout);
 */
export async function createNewContainer(options: NewContainerOptions = {}): Promise<Container> {
  const { onStdout, onStderr, onExit, onCallbackError, ...rest } = options ?? {};
  if (typeof rest.image === 'string') assertImageRef(rest.image, 'createNewContainer');
  const opts = parseOptions(createOptionsSchema, rest, 'createNewContainer', CALLBACK_KEYS);
  selfReapingConflict(opts, 'createNewContainer');
  for (const [key, value] of Object.entries({ onStdout, onStderr, onExit, onCallbackError })) {
    if (value !== undefined && typeof value !== 'function') throw new ContainerError('CONTAINER_INVALID_OPTIONS', `invalid createNewContainer options: ${key}: must be a function`);
  }
  const engine = opts.engine ?? (await connectEngine(opts.socketPath));
  const ownsEngine = opts.engine === undefined;
  try {
    const id = await create(engine, opts);
    try {
      await engine.json({ method: 'POST', path: `/containers/${id}/start` });
      const info = await engine.json<{ Name: string }>({ path: `/containers/${id}/json` });
      const callbacks: ContainerCallbacks = { onStdout, onStderr, onExit, onCallbackError };
      const container = new Container(engine, id, containerName(info.Name), { ...opts, ...callbacks }, ownsEngine);
      if (selfReaping(opts) && opts.keepAlive) await container[START_LIFELINE]();
      return container;
    } catch (err) {
      await engine.json({ method: 'DELETE', path: `/containers/${id}`, query: { force: true, v: true } }).catch(() => undefined);
      throw containerError(err, 'start container');
    }
  } catch (err) {
    if (ownsEngine) await engine.close();
    throw containerError(err, 'create container');
  }
}

/** Creates (not starts) a container from resolved options; returns its id. */
export async function create(engine: EngineClient, opts: ResolvedCreateOptions): Promise<string> {
  const binds = Object.entries(opts.volumes).map(([host, target]) =>
    typeof target === 'string' ? `${host}:${target}` : `${host}:${target.path}${target.readOnly ? ':ro' : ''}`,
  );
  const portBindings = Object.fromEntries(
    Object.entries(opts.ports).map(([containerPort, hostPort]) => [
      containerPort.includes('/') ? containerPort : `${containerPort}/tcp`,
      [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }],
    ]),
  );
  const reaping = selfReaping(opts);
  const labels = containerLabels({
    instance: opts.name ?? randomBytes(6).toString('hex'),
    persist: opts.persist,
    project: opts.project,
    extra: opts.labels,
    ttlMs: opts.ttlMs,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
  const body = {
    Image: opts.image,
    Cmd: reaping ? reaperCommand(opts.ttlMs, opts.idleTimeoutMs) : (opts.command ?? KEEP_ALIVE_COMMAND),
    Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`),
    ...(opts.workdir ? { WorkingDir: opts.workdir } : {}),
    ...(opts.user ? { User: opts.user } : {}),
    Labels: labels,
    ExposedPorts: Object.fromEntries(Object.keys(portBindings).map((p) => [p, {}])),
    HostConfig: {
      Init: true,
      // A self-reaping sandbox goes away by itself when its reaper (the main process) exits; `persist` ones only stop.
      ...(reaping && !opts.persist ? { AutoRemove: true } : {}),
      NetworkMode: opts.network,
      ...(opts.memLimit ? { Memory: opts.memLimit } : {}),
      ...(opts.cpuPercent ? { NanoCpus: Math.round((opts.cpuPercent / 100) * 1e9) } : {}),
      PidsLimit: opts.pidsLimit,
      ...(opts.readOnlyRoot ? { ReadonlyRootfs: true } : {}),
      ...(Object.keys(opts.tmpfs).length > 0 ? { Tmpfs: opts.tmpfs } : {}),
      Binds: binds,
      PortBindings: portBindings,
      Devices: opts.devices.map((d) => {
        const [host, inside = host, perms = 'rwm'] = d.split(':');
        return { PathOnHost: host, PathInContainer: inside, CgroupPermissions: perms };
      }),
    },
  };
  try {
    const created = await engine.json<{ Id: string }>({
      method: 'POST',
      path: '/containers/create',
      ...(opts.name ? { query: { name: opts.name } } : {}),
      body,
    });
    return created.Id;
  } catch (err) {
    // No answer is not "nothing made": remove what the engine may have made without telling us.
    if (createOutcomeUnknown(err)) await sweepByLabels(engine, [LABELS.instance, LABELS.createdAt].map((k) => `${k}=${labels[k]}`));
    throw err;
  }
}

/** Whether the sandbox enforces a ttl or idle timeout from inside (its main process is the reaper). */
export function selfReaping(opts: { ttlMs?: number | undefined; idleTimeoutMs?: number | undefined }): boolean {
  return opts.ttlMs !== undefined || opts.idleTimeoutMs !== undefined;
}
