import { section } from './schema-nodes.js';
import { ipcSection } from './schema-ipc.js';
import { poolsMap, sandboxSection } from './schema-sandbox.js';
import { engineSection, flowManagerSection, logSection } from './schema-services.js';

/** Every setting, in the order of the key table. */
export const SCHEMA = section({
  engine: engineSection,
  sandbox: sandboxSection,
  pools: poolsMap,
  flowManager: flowManagerSection,
  ipc: ipcSection,
  log: logSection,
});

/**
 * Top-level keys of a settings file that stand for a setting: engine-socket's project files say `socket:`, which
 * keeps meaning `engine.socket`.
 */
export const FILE_KEY_ALIASES: Readonly<Record<string, readonly string[]>> = { socket: ['engine', 'socket'] };

/** Environment variables that choose files and sections, not settings. */
export const META_ENV = ['POCKETDOCK_ENV', 'POCKETDOCK_SETTINGS_FILE'];
