import { dirname, join } from 'node:path';
import type { TlsOptions } from '../remote/tcp-endpoint.js';
import type { SshOptions } from '../remote/ssh-endpoint.js';
import { findConfigFiles } from './config-file.js';
import { dockerContext } from './docker-context.js';
import { podmanDefaultConnection, podmanEnvConnection } from './podman-connections.js';
import { isMissing } from './detection-host.js';
import type { DetectionHost } from './detection-host.js';
import { toSocketPath } from './socket-address.js';

/** What one strategy proposes: socket paths to try, in order, or why it has none. */
export interface StrategyResult {
  candidates: string[];
  /** A remote engine address (`tcp://...`, `ssh://...`, from `$DOCKER_HOST`, a context or a Podman connection): detection ends with it, no probe, no fallback. */
  remote?: string;
  /** The TLS settings that go with `remote` (a Docker context's certificates). */
  tls?: TlsOptions;
  /** The ssh settings that go with `remote` (a Podman connection's identity file, and `engine: 'podman'`). */
  ssh?: SshOptions;
  /** What `remote` is called in messages, when not the strategy's name. */
  origin?: string;
  /** Why there are no candidates (shown in `ENGINE_NOT_FOUND`). */
  note?: string;
}

/** One place a socket may be found. Strategies only propose paths; the detector checks that they answer. */
export interface SocketStrategy {
  readonly name: string;
  /** Set by the user (an env variable, a config file): a candidate of it that is skipped gets a process warning. */
  readonly configured?: boolean;
  resolve(): Promise<StrategyResult>;
}

const none = (note: string): StrategyResult => ({ candidates: [], note });
const linuxOnly = (host: DetectionHost): StrategyResult | undefined =>
  host.platform === 'linux' ? undefined : none(`not on Linux (${host.platform})`);
const macOnly = (host: DetectionHost): StrategyResult | undefined =>
  host.platform === 'darwin' ? undefined : none(`not on macOS (${host.platform})`);

function fromEnv(host: DetectionHost, name: string, remote: boolean): SocketStrategy {
  return {
    name: `$${name}`,
    configured: true,
    resolve: () => {
      const value = host.env[name];
      if (value === undefined || value.trim() === '') return Promise.resolve(none('not set'));
      if (remote && /^(tcp|ssh):\/\//i.test(value.trim())) return Promise.resolve({ candidates: [], remote: value.trim(), note: 'a remote engine: used as is, no fallback' });
      return Promise.resolve({ candidates: [toSocketPath(value, host.cwd, `$${name}`)] });
    },
  };
}

function fixedPath(name: string, path: (host: DetectionHost) => string, guard: (host: DetectionHost) => StrategyResult | undefined, host: DetectionHost): SocketStrategy {
  return { name, resolve: () => Promise.resolve(guard(host) ?? { candidates: [path(host)] }) };
}

function configFile(host: DetectionHost): SocketStrategy {
  return {
    name: 'pocketdock.yaml',
    configured: true,
    async resolve() {
      const files = await findConfigFiles(host);
      const withSocket = files.find((f) => f.socket !== undefined);
      if (withSocket?.socket !== undefined) {
        return { candidates: [toSocketPath(withSocket.socket, dirname(withSocket.path), `socket: in ${withSocket.path}`)] };
      }
      if (files.length === 0) return none(`no pocketdock.yaml in ${host.cwd} or its parents, nor ~/.pocketdock`);
      return none(`no "socket:" in ${files.map((f) => f.path).join(', ')}`);
    },
  };
}

function podmanMachines(host: DetectionHost): SocketStrategy {
  return {
    name: 'Podman machine (macOS)',
    async resolve() {
      const skip = macOnly(host);
      if (skip) return skip;
      const root = join(host.homedir, '.local/share/containers/podman/machine');
      let names: string[];
      try {
        names = await host.fs.readdir(root);
      } catch (err) {
        if (isMissing(err)) return none(`${root} does not exist`);
        return none(`cannot list ${root}: ${(err as Error).message}`);
      }
      const candidates = [...names].sort().map((n) => join(root, n, 'podman.sock'));
      return candidates.length > 0 ? { candidates } : none(`no machine in ${root}`);
    },
  };
}

/**
 * The design's detection order (after an explicit `socketPath`, which skips detection): `$POCKETDOCK_SOCKET`,
 * `socket:` in pocketdock.yaml (left out with `configFiles: false`), `$DOCKER_HOST` (unix://, or tcp://, which ends detection), the Docker context (`$DOCKER_CONTEXT` or `docker context use`), rootless Podman, system Podman, Docker,
 * Podman machines (macOS), Docker Desktop (macOS). Podman's `$CONTAINER_CONNECTION`/`$CONTAINER_HOST` come right after the
 * Docker context, its default connection (containers.conf, podman-connections.json) after every local place.
 */
export function defaultStrategies(host: DetectionHost, options: { configFiles?: boolean } = {}): SocketStrategy[] {
  return [
    fromEnv(host, 'POCKETDOCK_SOCKET', false),
    // `configFiles: false`: the caller (the factory) read pocketdock.yaml itself and passes its `socket:` as socketPath.
    ...(options.configFiles === false ? [] : [configFile(host)]),
    fromEnv(host, 'DOCKER_HOST', true),
    dockerContext(host),
    podmanEnvConnection(host),
    {
      name: 'rootless Podman ($XDG_RUNTIME_DIR/podman/podman.sock)',
      resolve: () => {
        const dir = host.env.XDG_RUNTIME_DIR;
        const result = linuxOnly(host) ?? (dir ? { candidates: [join(dir, 'podman/podman.sock')] } : none('$XDG_RUNTIME_DIR is not set'));
        return Promise.resolve(result);
      },
    },
    fixedPath('system Podman', () => '/run/podman/podman.sock', linuxOnly, host),
    fixedPath('Docker', () => '/var/run/docker.sock', (h) => (h.platform === 'win32' ? none('not on Windows') : undefined), host),
    podmanMachines(host),
    fixedPath('Docker Desktop (macOS)', (h) => join(h.homedir, '.docker/run/docker.sock'), macOnly, host),
    podmanDefaultConnection(host),
  ];
}
