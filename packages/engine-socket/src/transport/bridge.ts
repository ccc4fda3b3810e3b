import type { Readable, Writable } from 'node:stream';

/**
 * Pipes a response body into `out` (respecting backpressure) with errors translated: the body's error destroys
 * `out` with `mapError(err)`; `out` closing for any reason (end, error, the consumer destroying it) destroys the
 * body, then runs `onClose` once. So the connection never outlives the consumer's interest.
 */
export function bridge<T extends Writable & Readable>(body: Readable, out: T, mapError: (err: unknown) => Error, onClose: () => void): T {
  body.on('error', (err) => out.destroy(mapError(err)));
  out.once('close', () => {
    if (!body.destroyed) {
      body.on('error', noop);
      body.destroy();
    }
    onClose();
  });
  body.pipe(out);
  return out;
}

function noop(): void {}
