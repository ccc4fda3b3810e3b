import { Readable } from 'node:stream';

/** Size of the writes a large in-memory body is sent in. */
export const BODY_WRITE_BYTES = 1024 * 1024;

type Body = string | Uint8Array | Readable | null;

/**
 * What undici is given for a request body. undici writes a Buffer body with ONE `socket.write()`; over TLS, one
 * 100 MiB write measured 4-7x slower than the same bytes in 64 KiB to 1 MiB writes (Node's TLS socket, on this
 * machine), and it was most of the time of a 100 MiB archive upload over TLS (docs/benchmarks.md). A body over
 * `BODY_WRITE_BYTES` is therefore sent as a stream of views of it (no copy), each written as the socket drains,
 * with its `content-length` (undici checks the count). Small bodies go as they are.
 */
export function requestBody(body: Body | undefined, headers: Record<string, string>): { body: Body; headers: Record<string, string> } {
  if (!(body instanceof Uint8Array) || body.byteLength <= BODY_WRITE_BYTES) return { body: body ?? null, headers };
  return { body: Readable.from(slices(body), { objectMode: false }), headers: { 'content-length': String(body.byteLength), ...headers } };
}

function* slices(body: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < body.byteLength; offset += BODY_WRITE_BYTES) yield body.subarray(offset, offset + BODY_WRITE_BYTES);
}
