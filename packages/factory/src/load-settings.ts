import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import convict from 'convict';
import { FactoryError } from './errors.js';
import { settingsSchema } from './settings-schema.js';
import type { Settings } from './settings-schema.js';

export interface LoadSettingsOptions {
  /** The deployment's settings file (JSON). Default: `POCKETDOCK_SETTINGS_FILE`, else none. Must exist if named. */
  settingsFile?: string;
  /** The user's file (JSON), read after the settings file. Default `$XDG_CONFIG_HOME/pocketdock/settings.json`
   * (or `~/.config/...`), read only if it exists. `null` skips it. */
  userFile?: string | null;
  /** The environment. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function defaultUserFile(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'pocketdock', 'settings.json');
}

/**
 * Every setting, from (lowest first) the defaults, the settings file, the user file and the environment
 * (`POCKETDOCK_IPC_SOCKET_DIR`, ...), validated. Throws `FACTORY_INVALID_SETTINGS` naming the bad key, or
 * `FACTORY_SETTINGS_FILE` for a named file that is missing or not JSON.
 *
 * @example
 * const settings = loadSettings({ settingsFile: '/etc/pocketdock/settings.json' });
 * const server = createServer('unix', 'metrics', { settings });
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const files: string[] = [];
  const settingsFile = options.settingsFile ?? env['POCKETDOCK_SETTINGS_FILE'];
  if (settingsFile !== undefined && settingsFile !== '') {
    if (!existsSync(settingsFile)) throw new FactoryError('FACTORY_SETTINGS_FILE', `settings file ${settingsFile} does not exist`);
    files.push(settingsFile);
  }
  if (options.userFile !== null) {
    const userFile = options.userFile ?? defaultUserFile(env);
    if (existsSync(userFile)) files.push(userFile);
  }
  // args: [] so command-line flags of whatever process loads us are never read as settings
  const config = convict<Settings>(settingsSchema, { env, args: [] });
  for (const file of files) {
    try {
      config.loadFile(file);
    } catch (cause) {
      throw new FactoryError('FACTORY_SETTINGS_FILE', `cannot read settings file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (cause) {
    throw new FactoryError('FACTORY_INVALID_SETTINGS', `invalid settings: ${(cause as Error).message}`, { cause });
  }
  const settings = config.getProperties();
  if (settings.ipc.tcp.portRangeStart > settings.ipc.tcp.portRangeEnd) {
    throw new FactoryError('FACTORY_INVALID_SETTINGS', 'invalid settings: ipc.tcp.portRangeEnd: must not be below ipc.tcp.portRangeStart');
  }
  return settings;
}
