import { Transform, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';

/**
 * Called as the bytes of a `push` or `pull` pass: `bytesDone` counts the tar stream (file contents and their
 * headers, as `docker cp` counts); `bytesTotal` is the source's size when it is a single file (the archive adds
 * its headers, so `bytesDone` ends a little above it), undefined for a directory. An exception thrown here ends the
 * copy with it.
 */
export type CopyProgress = (bytesDone: number, bytesTotal?: number) => void;

/** The archive `source` yields, counted into `onProgress` on its way out. */
export async function* countedArchive(source: AsyncIterable<Buffer>, onProgress: CopyProgress, bytesTotal: number | undefined): AsyncGenerator<Buffer> {
  let done = 0;
  for await (const piece of source) {
    done += piece.length;
    onProgress(done, bytesTotal);
    yield piece;
  }
}

/** `body` through a counter into `onProgress`; an error on either side destroys both. */
export function countedBody(body: Readable, onProgress: CopyProgress, bytesTotal: number | undefined): Readable {
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      try {
        onProgress(done, bytesTotal);
      } catch (err) {
        callback(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      callback(null, chunk);
    },
  });
  pipeline(body, counter, () => undefined);
  return counter;
}
