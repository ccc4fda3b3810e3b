import { dirname, join } from 'node:path';
import { EngineError } from '../errors.js';
import { loadYamlParse } from '../load.js';
import { isMissing } from './detection-host.js';
import type { DetectionHost } from './detection-host.js';

/** A pocketdock.yaml that was found and read. */
export interface ConfigFile {
  path: string;
  /** The `socket:` value, when the file has one. */
  socket: string | undefined;
}

const PROJECT_NAMES = [join('.pocketdock', 'pocketdock.yaml'), 'pocketdock.yaml'];

async function readConfig(host: DetectionHost, path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await host.fs.readFile(path);
  } catch (err) {
    if (isMissing(err) || (err as { code?: unknown }).code === 'EISDIR') return undefined;
    throw new EngineError('ENGINE_INVALID_CONFIG', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parse = await loadYamlParse();
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return { path, socket: undefined };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${path} must be a YAML mapping (e.g. "socket: /run/podman/podman.sock")`);
  }
  const socket = (doc as Record<string, unknown>).socket;
  if (socket !== undefined && socket !== null && typeof socket !== 'string') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${path}: "socket" must be a string (a path or unix:// address)`);
  }
  return { path, socket: socket ?? undefined };
}

/**
 * The config files that apply, nearest first: the nearest `.pocketdock/pocketdock.yaml` or `pocketdock.yaml`
 * walking up from the working directory (in a directory holding both, the `.pocketdock/` one wins), then
 * `~/.pocketdock/pocketdock.yaml`. At most two files; the same file is never listed twice.
 */
export async function findConfigFiles(host: DetectionHost): Promise<ConfigFile[]> {
  const found: ConfigFile[] = [];
  let dir = host.cwd;
  for (;;) {
    let hit: ConfigFile | undefined;
    for (const name of PROJECT_NAMES) {
      hit = await readConfig(host, join(dir, name));
      if (hit) break;
    }
    if (hit) {
      found.push(hit);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const homePath = join(host.homedir, '.pocketdock', 'pocketdock.yaml');
  if (!found.some((f) => f.path === homePath)) {
    const home = await readConfig(host, homePath);
    if (home) found.push(home);
  }
  return found;
}
