import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadSettings } from '../src/index.js';
import type { LoadSettingsOptions, Settings } from '../src/index.js';

/** Writes each `relative path -> text` under `root` (directories made as needed); returns `root`. */
export async function writeTree(root: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/**
 * `loadSettings` seeing nothing of this machine: no system or user file, an empty environment, `cwd` as given
 * (its project file, if any, is read).
 */
export function isolated(cwd: string, options: LoadSettingsOptions = {}): Settings {
  return loadSettings({ env: {}, cwd, ...options, files: { system: null, user: null, ...options.files } });
}
