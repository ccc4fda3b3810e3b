import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectionError } from '@pocketdock/ipc-core';
import { checkSocketDir } from './secure-dir.js';

/**
 * Before connecting with `expectedOwner`: the socket at `path` must be a socket file of uid `owner`, in a directory
 * where nobody but `owner` and root can remove or rename it (theirs and not writable by others, or sticky as /tmp;
 * `IPC_INSECURE_SOCKET_DIR` otherwise), so nobody else can swap it between this check and the connect. Throws `IPC_SOCKET_OWNER_MISMATCH` for a file of another owner or one that is
 * not a socket (a symbolic link is not followed), `IPC_CONNECTION_FAILED` when there is none. Returns what was
 * checked, for {@link assertSameSocket}.
 */
export async function checkTrustedSocket(path: string, owner: number): Promise<Stats> {
  await checkSocketDir(dirname(path), owner, 'client');
  const st = await lstat(path).catch((cause: NodeJS.ErrnoException) => {
    throw new ConnectionError('IPC_CONNECTION_FAILED', `cannot connect to ${path}: ${cause.message}`, { cause });
  });
  if (!st.isSocket()) {
    const what = st.isSymbolicLink() ? 'a symbolic link, not a socket' : 'not a socket';
    throw new ConnectionError('IPC_SOCKET_OWNER_MISMATCH', `${path} is ${what}; refusing to connect (expectedOwner ${owner})`);
  }
  if (st.uid !== owner) {
    throw new ConnectionError(
      'IPC_SOCKET_OWNER_MISMATCH',
      `the socket ${path} belongs to uid ${st.uid}, not uid ${owner} (expectedOwner): another user's server may stand in for the real one; refusing to connect`,
    );
  }
  return st;
}

/** After connecting: the file at `path` is still the one {@link checkTrustedSocket} checked. */
export async function assertSameSocket(path: string, checked: Stats): Promise<void> {
  const now = await lstat(path).catch(() => undefined);
  if (now === undefined || now.ino !== checked.ino || now.dev !== checked.dev) {
    throw new ConnectionError('IPC_SOCKET_OWNER_MISMATCH', `the socket ${path} was replaced while connecting; refusing the connection`);
  }
}
