import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { TlsOptions } from '../remote/tcp-endpoint.js';
import { isMissing } from './detection-host.js';
import type { DetectionHost } from './detection-host.js';
import { toSocketPath } from './socket-address.js';
import type { SocketStrategy, StrategyResult } from './socket-strategies.js';

interface ContextMeta {
  Name?: unknown;
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

const configDir = (host: DetectionHost): string => host.env.DOCKER_CONFIG || join(host.homedir, '.docker');
const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

async function readJson(host: DetectionHost, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await host.fs.readFile(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw new EngineError('ENGINE_INVALID_CONFIG', `cannot read ${what} ${path}: ${(err as { code?: string }).code ?? 'error'}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${what} ${path} is not valid JSON`, { cause: err });
  }
}

/** The context the docker CLI would use and why: `$DOCKER_CONTEXT`, else `currentContext` of config.json. */
async function contextName(host: DetectionHost): Promise<{ name: string; from: string } | undefined> {
  if (set(host.env.DOCKER_CONTEXT)) return { name: host.env.DOCKER_CONTEXT.trim(), from: '$DOCKER_CONTEXT' };
  const path = join(configDir(host), 'config.json');
  const config = await readJson(host, path, 'the docker config');
  const current = (config as { currentContext?: unknown } | undefined)?.currentContext;
  return typeof current === 'string' && current !== '' ? { name: current, from: `currentContext in ${path}` } : undefined;
}

/**
 * The Docker context (`docker context use`, `$DOCKER_CONTEXT`), which docker-modem ignores: read as the docker CLI
 * reads it, `$DOCKER_CONFIG` (default `~/.docker`) `/contexts/meta/<sha256 of name>/meta.json` for the endpoint and
 * `/contexts/tls/<sha256>/docker/{ca,cert,key}.pem` for its TLS. `$DOCKER_HOST` wins over any context, as in the
 * CLI; the context named `default` is no context. A `unix://` endpoint is a candidate like any configured socket;
 * a `tcp://` one ends detection (no fallback), with the context's TLS files and `SkipTLSVerify`; so does an `ssh://` one.
 */
export function dockerContext(host: DetectionHost): SocketStrategy {
  return {
    name: 'Docker context',
    configured: true,
    async resolve(): Promise<StrategyResult> {
      if (set(host.env.DOCKER_HOST)) return { candidates: [], note: '$DOCKER_HOST is set, which wins over contexts' };
      const chosen = await contextName(host);
      if (chosen === undefined) return { candidates: [], note: 'no $DOCKER_CONTEXT, no currentContext in the docker config' };
      if (chosen.name === 'default') return { candidates: [], note: `context "default" (${chosen.from}): the local defaults below` };
      // node:crypto on first use: most processes never meet a Docker context (load.ts)
      const { createHash } = await import('node:crypto');
      const id = createHash('sha256').update(chosen.name).digest('hex');
      const metaPath = join(configDir(host), 'contexts', 'meta', id, 'meta.json');
      const meta = (await readJson(host, metaPath, `context "${chosen.name}"`)) as ContextMeta | undefined;
      if (meta === undefined) {
        throw new EngineError('ENGINE_INVALID_CONFIG', `Docker context "${chosen.name}" (${chosen.from}) does not exist: no ${metaPath}; run docker context ls`);
      }
      const endpoint = meta.Endpoints?.docker;
      if (typeof endpoint?.Host !== 'string' || endpoint.Host === '') {
        throw new EngineError('ENGINE_INVALID_CONFIG', `Docker context "${chosen.name}" has no docker endpoint Host in ${metaPath}`);
      }
      const origin = `Docker context "${chosen.name}"`;
      if (/^tcp:\/\//i.test(endpoint.Host)) {
        const tlsDir = join(configDir(host), 'contexts', 'tls', id, 'docker');
        const hasTls = await host.fs.readdir(tlsDir).then((names) => names.length > 0, () => false);
        const skipVerify = endpoint.SkipTLSVerify === true;
        const tls: TlsOptions | undefined = hasTls || skipVerify ? { certPath: tlsDir, verify: !skipVerify } : undefined;
        return { candidates: [], remote: endpoint.Host, ...(tls ? { tls } : {}), origin, note: `${origin}: a tcp:// engine, used as is` };
      }
      if (/^ssh:\/\//i.test(endpoint.Host)) return { candidates: [], remote: endpoint.Host, origin, note: `${origin}: an ssh:// engine, used as is` };
      return { candidates: [toSocketPath(endpoint.Host, host.cwd, origin)] };
    },
  };
}
