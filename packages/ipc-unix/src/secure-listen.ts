import { chmod, link, lstat, mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';
import { ConnectionError } from '@pocketdock/ipc-core';
import { checkSocketDir, currentUid } from './secure-dir.js';
import { assertSocketPathLength } from './socket-path.js';

const PROBE_TIMEOUT_MS = 1_000;

/** Whether a server answers on the socket at `path` (a refused or missing socket is not live). */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(live);
    };
    // A server too busy to accept within the probe time still owns its socket.
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
  });
}

/** Removes a stale socket at `path`; throws `IPC_ADDRESS_IN_USE` when a server is live there or it is no socket. */
async function clearStale(path: string): Promise<void> {
  const existing = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new ConnectionError('IPC_ADDRESS_IN_USE', `${path} exists and is not a socket; refusing to replace it`);
  }
  if (await isLive(path)) {
    throw new ConnectionError('IPC_ADDRESS_IN_USE', `a live server already listens on ${path}`);
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function listenOn(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Makes `server` listen on `path` without the socket file ever being reachable with a looser mode than `mode`:
 * it is bound inside a fresh 0700 directory next to `path`, given `mode` there, and only then hard-linked to
 * `path`. `link` fails rather than replace, so a live server's socket is never stolen, even in a race; a stale
 * socket (nobody answers) is removed first. Returns the socket file's inode, so `stop()` removes only its own.
 *
 * First the directory: it (and every directory created for it) must belong to this process's user and be
 * writable by nobody else, and the directories above it may belong only to this user or root and be writable by
 * others only when sticky (`IPC_INSECURE_SOCKET_DIR`). Once that holds, nobody but root can change anything on the
 * path between the check and the bind; at the end the file at `path` is checked to be the socket just bound.
 */
export async function listenSecure(server: Server, path: string, mode: number): Promise<number> {
  const dir = dirname(path);
  const uid = currentUid();
  if (uid === undefined) await mkdir(dir, { recursive: true, mode: 0o700 });
  else await checkSocketDir(dir, uid, 'server');
  await clearStale(path);
  const privateDir = await mkdtemp(join(dir, '.pd-'));
  const tempPath = join(privateDir, 's');
  try {
    assertSocketPathLength(tempPath);
    await listenOn(server, tempPath);
    try {
      await chmod(tempPath, mode);
      const bound = await lstat(tempPath);
      await link(tempPath, path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new ConnectionError('IPC_ADDRESS_IN_USE', `${path} was taken while starting`);
        throw err;
      });
      const placed = await lstat(path);
      if (placed.ino !== bound.ino || placed.dev !== bound.dev) {
        throw new ConnectionError('IPC_ADDRESS_IN_USE', `${path} was replaced while starting`);
      }
      return bound.ino;
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}

/** Removes the socket file at `path` if it is still the one with inode `ino` (not a successor's, not an impostor's). */
export async function removeOwnSocket(path: string, ino: number): Promise<void> {
  const current = await lstat(path).catch(() => undefined);
  if (current?.isSocket() === true && current.ino === ino) await unlink(path).catch(() => undefined);
}
