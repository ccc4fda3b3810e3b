import { collect } from './settings/collect.js';
import { findFiles } from './settings/discover.js';
import type { SettingsFiles } from './settings/discover.js';
import { readEnv } from './settings/env-layer.js';
import { checkMerged, merge, resolveEngineAddress, resolveSocket } from './settings/merge.js';
import { readSettingsFile } from './settings/read-file.js';
import { SCHEMA } from './settings/schema.js';
import type { SchemaNode } from './settings/schema-nodes.js';
import { Settings } from './settings/settings.js';
import { LayerOutput, formatIssue } from './settings/sources.js';
import type { Entry } from './settings/sources.js';
import type { SettingsOverrides } from './settings/values.js';
import { FactoryError } from './errors.js';

export interface LoadSettingsOptions {
  /** The environment (`POCKETDOCK_*`, and where files are). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the project file is looked for (walking up), and what relative paths are relative to. Default `process.cwd()`. */
  cwd?: string;
  /** The highest layer: settings of the caller, over every file and the environment. */
  overrides?: SettingsOverrides;
  /** Each file layer's file (it must then exist), `null` to skip the layer, or unset to look for it. */
  files?: SettingsFiles;
  /** @deprecated use `files.settings` (same meaning) */
  settingsFile?: string;
  /** @deprecated use `files.user` (same meaning) */
  userFile?: string | null;
}

let defaults: Entry[] | undefined;

/** The `default` layer: every setting the factory owns a default for (ipc's from ipc-core's schemas, log). */
function defaultEntries(): Entry[] {
  if (defaults) return defaults;
  const found: Entry[] = [];
  const walk = (node: SchemaNode, path: string[]): void => {
    if (node.kind === 'section') for (const [k, child] of Object.entries(node.children)) walk(child, [...path, k]);
    else if (node.kind === 'leaf' && node.default !== undefined) found.push({ path, value: node.default, source: { layer: 'default' } });
  };
  walk(SCHEMA, []);
  defaults = found;
  return found;
}

function fail(out: LayerOutput): never {
  const detail = out.issues.map(formatIssue).join('; ');
  throw new FactoryError('FACTORY_INVALID_SETTINGS', `invalid settings: ${detail}`, { issues: out.issues });
}

/**
 * Every setting, from (lowest first) the libraries' defaults, `/etc/pocketdock/settings.*`, the user's
 * `$XDG_CONFIG_HOME/pocketdock/settings.*`, the project's `.pocketdock/pocketdock.yaml`, `$POCKETDOCK_SETTINGS_FILE`,
 * the environment (`POCKETDOCK_SANDBOX__MEM_LIMIT=256m`...) and `overrides`; files in YAML, JSON or TOML, with
 * named-environment sections chosen by `POCKETDOCK_ENV`. Any unknown key, bad value or unreadable file fails with
 * `FACTORY_INVALID_SETTINGS` naming the key and where it came from (every problem at once, in `issues`).
 *
 * @example
 * const settings = loadSettings({ overrides: { sandbox: { memLimit: '256m' } } });
 * settings.get('sandbox.memLimit'); // '256m'
 * console.log(settings.explainText()); // each key, its value (secrets redacted) and its layer
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const environment = (env['POCKETDOCK_ENV'] || 'development').toLowerCase();
  const files: SettingsFiles = { ...options.files };
  if (options.settingsFile !== undefined && files.settings === undefined) files.settings = options.settingsFile;
  if (options.userFile !== undefined && files.user === undefined) files.user = options.userFile;

  const out = new LayerOutput();
  out.entries.push(...defaultEntries());
  const read: string[] = [];
  for (const file of findFiles(files, env, cwd, out)) {
    if (readSettingsFile(file.path, file.layer, environment, out, file.mustExist)) read.push(file.path);
  }
  const overrides = new LayerOutput();
  if (options.overrides !== undefined) collect(SCHEMA, options.overrides, [], { layer: 'overrides' }, overrides, false);
  // POCKETDOCK_POOLS__MY_POOL__... finds `my-pool` wherever it is named, overrides included.
  const named = [...out.entries, ...overrides.entries].filter((e) => e.path[0] === 'pools' && e.path.length > 1).map((e) => e.path[1]!);
  readEnv(env, [...new Set(named)], out);
  out.entries.push(...overrides.entries);
  out.issues.push(...overrides.issues);
  if (out.issues.length > 0) fail(out);

  const merged = merge(out.entries);
  resolveSocket(merged, cwd);
  resolveEngineAddress(merged, out);
  checkMerged(merged, out);
  if (out.issues.length > 0) fail(out);
  return new Settings(merged, environment, read);
}
