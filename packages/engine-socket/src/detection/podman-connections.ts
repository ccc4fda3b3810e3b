import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { loadTomlParse } from '../load.js';
import { isMissing } from './detection-host.js';
import type { DetectionHost } from './detection-host.js';
import { toSocketPath } from './socket-address.js';
import type { SocketStrategy, StrategyResult } from './socket-strategies.js';

/** One Podman connection (`podman system connection add`): where, and with which key. */
interface PodmanConnection {
  name: string;
  uri: string;
  identity: string | undefined;
  isMachine: boolean;
  /** The file it came from, for messages. */
  file: string;
}

interface Connections {
  byName: Map<string, PodmanConnection>;
  defaultName: string | undefined;
  defaultFrom: string | undefined;
}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

async function readText(host: DetectionHost, path: string): Promise<string | undefined> {
  try {
    return await host.fs.readFile(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw new EngineError('ENGINE_INVALID_CONFIG', `cannot read the Podman configuration ${path}: ${(err as { code?: string }).code ?? 'error'}`, { cause: err });
  }
}

/** The user's config dir, as podman finds it: `$XDG_CONFIG_HOME`, else `~/.config`. */
const configHome = (host: DetectionHost): string => (set(host.env.XDG_CONFIG_HOME) ? host.env.XDG_CONFIG_HOME : join(host.homedir, '.config'));

/**
 * The containers.conf files podman reads, later ones winning: `$CONTAINERS_CONF` alone when set, else
 * `/etc/containers/containers.conf` then the user's `containers/containers.conf`. (`/usr/share` defaults hold no
 * connections; `containers.conf.d` drop-ins are not read.)
 */
function confFiles(host: DetectionHost): string[] {
  if (set(host.env.CONTAINERS_CONF)) return [host.env.CONTAINERS_CONF];
  return ['/etc/containers/containers.conf', join(configHome(host), 'containers', 'containers.conf')];
}

/** Every connection: containers.conf's `[engine.service_destinations]` (Podman 4), then podman-connections.json (Podman 5). */
async function readConnections(host: DetectionHost): Promise<Connections> {
  const out: Connections = { byName: new Map(), defaultName: undefined, defaultFrom: undefined };
  for (const file of confFiles(host)) {
    const text = await readText(host, file);
    if (text === undefined) continue;
    let doc: Record<string, unknown>;
    try {
      doc = (await loadTomlParse())(text);
    } catch (err) {
      throw new EngineError('ENGINE_INVALID_CONFIG', `the Podman configuration ${file} is not valid TOML`, { cause: err });
    }
    const engine = record(doc.engine);
    const active = str(engine?.active_service);
    if (active !== undefined) Object.assign(out, { defaultName: active, defaultFrom: `active_service in ${file}` });
    for (const [name, value] of Object.entries(record(engine?.service_destinations) ?? {})) {
      const uri = str(record(value)?.uri);
      if (uri !== undefined) out.byName.set(name, { name, uri, identity: str(record(value)?.identity), isMachine: false, file });
    }
  }
  const jsonFile = join(configHome(host), 'containers', 'podman-connections.json');
  const text = await readText(host, jsonFile);
  if (text !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new EngineError('ENGINE_INVALID_CONFIG', `the Podman connections file ${jsonFile} is not valid JSON`, { cause: err });
    }
    const connection = record(record(doc)?.Connection);
    const def = str(connection?.Default);
    if (def !== undefined) Object.assign(out, { defaultName: def, defaultFrom: `Default in ${jsonFile}` });
    for (const [name, value] of Object.entries(record(connection?.Connections) ?? {})) {
      const v = record(value);
      const uri = str(v?.URI);
      if (uri !== undefined) out.byName.set(name, { name, uri, identity: str(v?.Identity), isMachine: v?.IsMachine === true, file: jsonFile });
    }
  }
  return out;
}

/** A Podman connection or `$CONTAINER_HOST` as detection uses it: a socket to try, or a remote engine (ssh runs podman's dial-stdio). */
function fromUri(uri: string, identity: string | undefined, origin: string, host: DetectionHost): StrategyResult {
  const value = uri.trim();
  if (/^ssh:\/\//i.test(value)) {
    return { candidates: [], remote: value, ssh: { engine: 'podman', ...(identity ? { identityFile: identity } : {}) }, origin, note: `${origin}: an ssh:// engine, used as is` };
  }
  if (/^tcp:\/\//i.test(value)) return { candidates: [], remote: value, origin, note: `${origin}: a tcp:// engine, used as is` };
  return { candidates: [toSocketPath(value, host.cwd, origin)] };
}

/**
 * `$CONTAINER_CONNECTION` (a connection's name) and `$CONTAINER_HOST` (an address; `$CONTAINER_SSHKEY` its key), as
 * podman-remote reads them, in that order. An `ssh://` or `tcp://` one ends detection like `$DOCKER_HOST`; a
 * `unix://` one is a configured socket. A connection name that is not defined is `ENGINE_INVALID_CONFIG`.
 */
export function podmanEnvConnection(host: DetectionHost): SocketStrategy {
  return {
    name: '$CONTAINER_CONNECTION / $CONTAINER_HOST (Podman)',
    configured: true,
    async resolve(): Promise<StrategyResult> {
      const name = host.env.CONTAINER_CONNECTION;
      if (set(name)) {
        const found = (await readConnections(host)).byName.get(name.trim());
        if (found === undefined) {
          throw new EngineError('ENGINE_INVALID_CONFIG', `$CONTAINER_CONNECTION names the Podman connection "${name.trim()}", which is not defined in ${[...confFiles(host), 'podman-connections.json'].join(', ')}; run podman system connection list`);
        }
        return fromUri(found.uri, found.identity, `Podman connection "${found.name}" ($CONTAINER_CONNECTION)`, host);
      }
      const uri = host.env.CONTAINER_HOST;
      if (set(uri)) return fromUri(uri, set(host.env.CONTAINER_SSHKEY) ? host.env.CONTAINER_SSHKEY : undefined, '$CONTAINER_HOST', host);
      return { candidates: [], note: 'neither is set' };
    },
  };
}

/**
 * The default Podman connection (`podman system connection default`: `Default` in podman-connections.json, else
 * `active_service` in containers.conf), tried after every local place: podman on Linux uses it only when remote,
 * so a local engine that answers comes first. Podman machine connections are left to the machine strategy.
 */
export function podmanDefaultConnection(host: DetectionHost): SocketStrategy {
  return {
    name: 'default Podman connection',
    configured: true,
    async resolve(): Promise<StrategyResult> {
      const all = await readConnections(host);
      if (all.defaultName === undefined) return { candidates: [], note: 'no default connection in containers.conf or podman-connections.json' };
      const found = all.byName.get(all.defaultName);
      if (found === undefined) {
        throw new EngineError('ENGINE_INVALID_CONFIG', `the default Podman connection "${all.defaultName}" (${all.defaultFrom}) is not defined; run podman system connection list`);
      }
      if (found.isMachine) return { candidates: [], note: `"${found.name}" is a Podman machine connection (the machine strategy covers it)` };
      return fromUri(found.uri, found.identity, `Podman connection "${found.name}" (${all.defaultFrom})`, host);
    },
  };
}
