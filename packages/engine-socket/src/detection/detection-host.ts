import { readFile, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';

/** The file-system calls detection makes; tests pass a fake. */
export interface DetectionFs {
  stat(path: string): Promise<{ isSocket(): boolean }>;
  readFile(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
}

/**
 * Everything socket detection reads from the machine. Inject a fake to test detection without touching it;
 * fields left out come from the real process.
 */
export interface DetectionHost {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homedir: string;
  cwd: string;
  fs: DetectionFs;
}

const realFs: DetectionFs = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path, 'utf8'),
  readdir: (path) => readdir(path),
};

/** The real process's host, with any fields of `overrides` taking precedence. */
export function detectionHost(overrides: Partial<DetectionHost> = {}): DetectionHost {
  return {
    env: overrides.env ?? process.env,
    platform: overrides.platform ?? process.platform,
    homedir: overrides.homedir ?? homedir(),
    cwd: overrides.cwd ?? process.cwd(),
    fs: overrides.fs ?? realFs,
  };
}

/** True for "the file is not there" errors (missing, or a path component is not a directory). */
export function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
