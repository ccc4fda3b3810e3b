import type { Readable } from 'node:stream';
import { EngineError } from '../errors.js';

/** Reads a whole body, at most `maxBytes` (then destroys it and fails with `ENGINE_RESPONSE_TOO_LARGE`). */
export function readBody(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        body.on('error', noop);
        body.destroy();
        reject(new EngineError('ENGINE_RESPONSE_TOO_LARGE', `${what}: the response is larger than ${maxBytes} bytes (maxJsonBytes)`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

/** Parses a JSON body; an empty body is `undefined`. Invalid JSON fails with `ENGINE_BAD_RESPONSE`. */
export function parseJson(bytes: Buffer, what: string): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new EngineError('ENGINE_BAD_RESPONSE', `${what}: the engine answered invalid JSON: ${bytes.subarray(0, 200).toString()}`, { cause: err });
  }
}

/** The `ENGINE_API_ERROR` for a non-2xx answer: the engine's own `message` when the body has one. */
export function apiError(status: number, body: Buffer, method: string, path: string): EngineError {
  const text = body.toString('utf8').trim();
  let engineMessage = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') engineMessage = parsed.message;
  } catch {
    // not JSON: the text itself is the message
  }
  return new EngineError('ENGINE_API_ERROR', `${method} ${path}: HTTP ${status}: ${engineMessage || '(no message)'}`, {
    api: { status, engineMessage, method, path },
  });
}

/** Most bytes of an error answer kept for its message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reads an error answer's body (bounded) and builds its `ENGINE_API_ERROR`. */
export async function readApiError(status: number, body: Readable, method: string, path: string, what: string): Promise<EngineError> {
  const bytes = await readBody(body, MAX_ERROR_BODY_BYTES, what).catch(() => Buffer.alloc(0));
  return apiError(status, bytes, method, path);
}

function noop(): void {}
