import type { DetectionHost } from '../src/index.js';

const enoent = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });

/**
 * A machine made of a few paths: `sockets` are socket files, `files` regular files with content, `dirs` list a
 * directory. Nothing real is touched.
 */
export function fakeHost({
  env = {},
  platform = 'linux',
  homedir = '/home/u',
  cwd = '/work/proj',
  sockets = [],
  files = {},
  dirs = {},
}: {
  env?: Record<string, string>;
  platform?: NodeJS.Platform;
  homedir?: string;
  cwd?: string;
  sockets?: string[];
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
} = {}): DetectionHost {
  return {
    env,
    platform,
    homedir,
    cwd,
    fs: {
      stat: (path) => {
        if (sockets.includes(path)) return Promise.resolve({ isSocket: () => true });
        if (path in files) return Promise.resolve({ isSocket: () => false });
        return Promise.reject(enoent(path));
      },
      readFile: (path) => (path in files ? Promise.resolve(files[path]!) : Promise.reject(enoent(path))),
      readdir: (path) => (path in dirs ? Promise.resolve(dirs[path]!) : Promise.reject(enoent(path))),
    },
  };
}
