import { EngineError } from '@pocketdock/engine-socket';
import { ContainerError } from './errors.js';

/** The runtime's words for a `user` (or its group) that does not exist in the container, on both engines. */
export const USER_NOT_FOUND = /unable to find (user|group) [^\n]*: no matching entries in (passwd|group) file/i;

/**
 * Turns an engine failure into what it means for a container. Docker answers an exec on a stopped container with
 * 409, Podman with 500 "container state improper": both are `CONTAINER_NOT_RUNNING`. A 404, or any answer saying
 * "no such container", is `CONTAINER_NOT_FOUND` (or `IMAGE_NOT_FOUND` when the engine says the image is missing).
 */
export function containerError(err: unknown, what: string): ContainerError {
  if (ContainerError.is(err)) return err;
  if (EngineError.is(err)) {
    const msg = err.engineMessage ?? err.message;
    if (err.code === 'ENGINE_API_ERROR') {
      // Docker: 400 "invalid reference format: ..."; Podman: 500 "normalizing image: ... invalid reference format".
      if (/invalid reference format/i.test(msg)) return new ContainerError('IMAGE_INVALID', `${what}: ${msg}`, { cause: err });
      // Podman refuses the exec start (500); Docker's runtime prints the same words and exits 126 (see exec-handle).
      if (USER_NOT_FOUND.test(msg)) return new ContainerError('CONTAINER_INVALID_USER', `${what}: ${msg.trim()}`, { cause: err });
      if (err.status === 404 && /image/i.test(msg) && !/container/i.test(msg)) {
        return new ContainerError('IMAGE_NOT_FOUND', `${what}: ${msg} (nothing is pulled on create: see ensureImage, importImage)`, { cause: err });
      }
      // Podman can answer 500 with libpod's "no such container" while a removal is under way.
      if (err.status === 404 || /no such container/i.test(msg)) return new ContainerError('CONTAINER_NOT_FOUND', `${what}: ${msg}`, { cause: err });
      // Docker: 409 "...name ... is already in use"; Podman: 500 "...that name is already in use".
      if ((err.status === 409 || err.status === 500) && /name .*already in use|already in use/i.test(msg) && !/not running|paused/i.test(msg)) {
        return new ContainerError('CONTAINER_NAME_CONFLICT', `${what}: ${msg}`, { cause: err });
      }
      // Docker: 409 "Container ... is paused, unpause the container before exec"; Podman: 500 "... paused".
      if ((err.status === 409 || err.status === 500) && /is paused|already paused|state paused/i.test(msg)) {
        return new ContainerError('CONTAINER_PAUSED', `${what}: the container is paused (${msg}); resume() it first`, { cause: err });
      }
      if (err.status === 409 || (err.status === 500 && /state improper|not running|is stopped/i.test(msg))) {
        return new ContainerError('CONTAINER_NOT_RUNNING', `${what}: the container is not running (${msg})`, { cause: err });
      }
    }
    if (err.code === 'ENGINE_ABORTED') return new ContainerError('CONTAINER_ABORTED', `${what}: aborted`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ContainerError('CONTAINER_ENGINE_ERROR', `${what}: ${message}`, { cause: err });
}
