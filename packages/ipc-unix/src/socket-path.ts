import { isAbsolute, join, resolve, sep } from 'node:path';
import { ConnectionError, ValidationError, assertEventName } from '@pocketdock/ipc-core';

/** Longest socket path the OS takes, in bytes (`sun_path` less its terminating NUL). */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** Throws `IPC_PATH_TOO_LONG` when `path` does not fit in a `sockaddr_un`. */
export function assertSocketPathLength(path: string): void {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new ConnectionError(
      'IPC_PATH_TOO_LONG',
      `socket path is ${bytes} bytes, more than the OS limit of ${MAX_SOCKET_PATH_BYTES}: ${path}; use a shorter socketDir or event name`,
    );
  }
}

/**
 * `{socketDir}/{eventName}.sock`, checked: an event name that could leave `socketDir` (`..`, `/`, NUL) throws
 * `IPC_PATH_TRAVERSAL`, any other bad name `IPC_INVALID_EVENT_NAME`, a path over the OS limit `IPC_PATH_TOO_LONG`.
 *
 * @example
 * socketPath('/run/app', 'metrics'); // '/run/app/metrics.sock'
 */
export function socketPath(socketDir: string, eventName: string): string {
  if (typeof eventName === 'string' && /[/\\\0]|\.\./.test(eventName)) {
    throw new ValidationError('IPC_PATH_TRAVERSAL', `event name ${JSON.stringify(eventName)} would leave socketDir`);
  }
  assertEventName(eventName);
  const dir = resolve(socketDir);
  const path = join(dir, `${eventName}.sock`);
  if (!isAbsolute(path) || !path.startsWith(dir + sep)) {
    throw new ValidationError('IPC_PATH_TRAVERSAL', `event name ${JSON.stringify(eventName)} would leave socketDir`);
  }
  assertSocketPathLength(path);
  return path;
}
