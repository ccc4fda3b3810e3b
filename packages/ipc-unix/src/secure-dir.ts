import type { Stats } from 'node:fs';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConnectionError } from '@pocketdock/ipc-core';

const STICKY = 0o1000;
const GROUP_OR_WORLD_WRITABLE = 0o022;

/** `/`, then every directory down to `dir` (absolute), `dir` last. */
function chain(dir: string): string[] {
  const out: string[] = [];
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    out.unshift(cur);
    if (dirname(cur) === cur) return out;
  }
}

function insecure(path: string, why: string, fix: string): ConnectionError {
  return new ConnectionError('IPC_INSECURE_SOCKET_DIR', `refusing socket directory ${path}: ${why}; ${fix}`);
}

const mode = (st: Stats): string => `0${(st.mode & 0o7777).toString(8)}`;

/**
 * One entry on the way to a socket directory, as lstat sees it. `owner` is the uid the socket directory must belong
 * to. The socket directory itself (`leaf`) must be a directory of `owner` that nobody else can write to. Above it,
 * directories may also be root's, and writable by others only with the sticky bit (as /tmp): then nobody else can
 * rename or replace what is inside. A symbolic link counts only when `owner` or root made it (where it points is
 * checked separately).
 */
function checkEntry(path: string, st: Stats, owner: number, leaf: boolean): void {
  const trusted = st.uid === owner || (!leaf && st.uid === 0);
  if (st.isSymbolicLink()) {
    if (st.uid !== owner && st.uid !== 0) {
      throw insecure(path, `it is a symbolic link made by uid ${st.uid}, who can point it anywhere`, `use a real directory owned by uid ${owner}`);
    }
    return;
  }
  if (!st.isDirectory()) throw insecure(path, 'it is not a directory', 'point socketDir at a directory');
  if (!trusted) {
    const who = leaf ? `uid ${owner}` : `uid ${owner} or root`;
    throw insecure(
      path,
      `it is owned by uid ${st.uid}, not ${who}: that user could replace the socket`,
      leaf ? `remove it (a server creates a missing socketDir itself, mode 0700) or use a directory of uid ${owner}` : `use a socketDir whose parents belong to ${who}`,
    );
  }
  const writable = (st.mode & GROUP_OR_WORLD_WRITABLE) !== 0;
  if (writable && (leaf || (st.mode & STICKY) === 0)) {
    throw insecure(
      path,
      `its mode ${mode(st)} lets group or others write to it, so they could replace the socket`,
      `run chmod go-w ${path}${leaf ? '' : ' (or chmod +t, as /tmp)'}, or use a private directory (mode 0700)`,
    );
  }
}

async function lstatIfExists(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/**
 * Makes sure that only `owner` (and root) can change what is in `dir` and in every directory above it, so a socket
 * placed there cannot be swapped by another user; throws `IPC_INSECURE_SOCKET_DIR`, saying how to fix it, otherwise.
 * Symbolic links on the way are followed, and the directories they lead to are checked too.
 *
 * For a `'server'`, `dir` itself must be `owner`'s and writable by nobody else, and missing directories are made one
 * at a time, mode 0700, each checked the same way once it exists (one another user raced into place is refused).
 * A `'client'` only checks, and accepts `dir` under the rules of the directories above it (root's, or sticky like
 * /tmp): there, nobody else can remove or rename a socket that `owner` made.
 */
export async function checkSocketDir(dir: string, owner: number, side: 'server' | 'client'): Promise<void> {
  const create = side === 'server';
  const paths = chain(dir);
  for (const [i, path] of paths.entries()) {
    let st = await lstatIfExists(path);
    let made = false;
    if (st === undefined && create) {
      await mkdir(path, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      st = await lstat(path);
      made = true;
    }
    if (st === undefined) return; // nothing to check below a missing directory: connecting will fail
    checkEntry(path, st, owner, made || (create && i === paths.length - 1));
  }
  const real = await realpath(dir);
  if (real === resolve(dir)) return;
  const realPaths = chain(real);
  for (const [i, path] of realPaths.entries()) checkEntry(path, await lstat(path), owner, create && i === realPaths.length - 1);
}

/** This process's uid, or undefined where there is none (Windows): there, nothing is checked. */
export function currentUid(): number | undefined {
  return process.getuid?.();
}
