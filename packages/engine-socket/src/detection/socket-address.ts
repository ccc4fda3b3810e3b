import { isAbsolute, resolve } from 'node:path';
import { EngineError } from '../errors.js';

/**
 * Turns a socket address as users write it (`unix:///run/x.sock`, `/run/x.sock`, `./x.sock`) into an absolute
 * path. Relative paths resolve against `baseDir`. Any other scheme (`tcp://`, `ssh://`, `npipe://`, ...) is
 * refused with `ENGINE_UNSUPPORTED_HOST`
 * (`tcp://` is read elsewhere: `$DOCKER_HOST` and the `dockerHost` option). The address is not repeated: it may hold a user name.
 */
export function toSocketPath(address: string, baseDir: string, origin: string): string {
  const value = address.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'unix') {
    throw new EngineError(
      'ENGINE_UNSUPPORTED_HOST',
      `${origin} is a ${scheme}:// address: only unix:// (and tcp:// or ssh:// in DOCKER_HOST, CONTAINER_HOST, a context or the dockerHost option) are ` +
        "supported; point it at the engine's Unix socket (unix:///var/run/docker.sock), or set POCKETDOCK_SOCKET",
    );
  }
  const path = scheme === 'unix' ? value.slice('unix://'.length) : value;
  if (path === '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${origin} is ${value}: the socket path is empty`);
  }
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
