import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LayerOutput } from './sources.js';
import type { LayerName } from './sources.js';

/** Where each file layer comes from: a path (it must exist), `null` (skip the layer), or unset (look for it). */
export interface SettingsFiles {
  /** Default: `/etc/pocketdock/settings.{toml,yaml,yml,json}`. */
  system?: string | null;
  /** Default: `$XDG_CONFIG_HOME/pocketdock/settings.{toml,yaml,yml,json}` (`~/.config/...`). */
  user?: string | null;
  /** Default: the nearest `.pocketdock/pocketdock.yaml` (or `pocketdock.yaml`) walking up from `cwd`. */
  project?: string | null;
  /** Default: `$POCKETDOCK_SETTINGS_FILE`. */
  settings?: string | null;
}

/** A file to read, in layer order. */
export interface FileToRead {
  layer: LayerName;
  path: string;
  mustExist: boolean;
}

export const SETTINGS_NAMES = ['settings.toml', 'settings.yaml', 'settings.yml', 'settings.json'];
const PROJECT_NAMES = [join('.pocketdock', 'pocketdock.yaml'), 'pocketdock.yaml'];

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/** The one `settings.*` file in `dir`, if any; two of them is a mistake (which would win?). */
function settingsIn(dir: string, layer: LayerName, out: LayerOutput): FileToRead[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found = SETTINGS_NAMES.filter((n) => names.includes(n));
  if (found.length > 1) {
    out.issue(undefined, `more than one settings file (${found.join(', ')}): keep one`, { layer, file: dir });
    return [];
  }
  return found.map((n) => ({ layer, path: join(dir, n), mustExist: false }));
}

/**
 * The project's files, as engine-socket finds them: the nearest `.pocketdock/pocketdock.yaml` or `pocketdock.yaml`
 * walking up from `cwd` (the first wins in a directory holding both), and below it `~/.pocketdock/pocketdock.yaml`
 * when that is another file.
 */
function projectFiles(cwd: string, home: string): FileToRead[] {
  let nearest: string | undefined;
  for (let dir = resolve(cwd); nearest === undefined; ) {
    nearest = PROJECT_NAMES.map((n) => join(dir, n)).find(isFile);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const homeFile = join(home, '.pocketdock', 'pocketdock.yaml');
  const files = homeFile !== nearest && isFile(homeFile) ? [homeFile] : [];
  if (nearest !== undefined) files.push(nearest);
  return files.map((path) => ({ layer: 'project', path, mustExist: false }));
}

const named = (layer: LayerName, path: string, cwd: string): FileToRead[] => [{ layer, path: resolve(cwd, path), mustExist: true }];

/** Every settings file to read, lowest layer first. */
export function findFiles(files: SettingsFiles, env: Readonly<Record<string, string | undefined>>, cwd: string, out: LayerOutput): FileToRead[] {
  const home = env['HOME'] || homedir();
  const pick = (given: string | null | undefined, layer: LayerName, find: () => FileToRead[]): FileToRead[] =>
    given === null ? [] : given === undefined ? find() : named(layer, given, cwd);
  const settingsFile = files.settings === undefined ? env['POCKETDOCK_SETTINGS_FILE'] || undefined : files.settings;
  return [
    ...pick(files.system, 'system', () => settingsIn('/etc/pocketdock', 'system', out)),
    ...pick(files.user, 'user', () => settingsIn(join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'pocketdock'), 'user', out)),
    ...pick(files.project, 'project', () => projectFiles(cwd, home)),
    ...pick(settingsFile, 'settingsFile', () => []),
  ];
}
