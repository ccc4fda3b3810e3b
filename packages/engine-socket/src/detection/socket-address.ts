import { isAbsolute, resolve } from 'node:path';
import { EngineError } from '../errors.js';

/**
 * Turns a socket address as users write it (`unix:///run/x.sock`, `/run/x.sock`, `./x.sock`) into an absolute
 * path. Relative paths resolve against `baseDir`. Any other scheme (`tcp://`, `ssh://`, `npipe://`, ...) is
 * refused with `ENGINE_UNSUPPORTED_HOST`: only Unix sockets are spoken for now.
 */
export function toSocketPath(address: string, baseDir: string, origin: string): string {
  const value = address.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'unix') {
    throw new EngineError(
      'ENGINE_UNSUPPORTED_HOST',
      `${origin} is ${value}: only unix:// engine sockets are supported for now; point it at the engine's Unix ` +
        'socket (unix:///var/run/docker.sock), or set POCKETDOCK_SOCKET',
    );
  }
  const path = scheme === 'unix' ? value.slice('unix://'.length) : value;
  if (path === '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${origin} is ${value}: the socket path is empty`);
  }
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
