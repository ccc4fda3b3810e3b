import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EngineError } from '../errors.js';
import { MAX_INFORMATIONAL_ANSWERS } from './operation.js';
import { MAX_ERROR_BODY_BYTES, apiError } from './read-body.js';

export interface UpgradeRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/**
 * Sends an HTTP upgrade (`Connection: Upgrade`, `Upgrade: tcp`) and resolves with the raw socket after `101`.
 * Bytes that arrived in the same read as the 101 head are put back on the socket by undici (`socket.unshift`,
 * while the socket is paused), so the caller reads them first. Any other answer is read (bounded) and rejected:
 * `ENGINE_API_ERROR` for an error status, `ENGINE_BAD_RESPONSE` for a non-upgrade success or endless 1xx answers.
 */
export function upgrade(dispatcher: Dispatcher, request: UpgradeRequest): Promise<{ socket: Duplex; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    let size = 0;
    let informational = 0;
    dispatcher.dispatch(
      { method: request.method, path: request.path, headers: request.headers, body: request.body ?? null, upgrade: 'tcp' },
      {
        // undici recognises a handler of its current API by onRequestStart; nothing to do at start.
        onRequestStart() {},
        onRequestUpgrade(_controller, _statusCode, headers, socket) {
          resolve({ socket, headers });
        },
        onResponseStart(controller, statusCode) {
          status = statusCode;
          if (statusCode < 200 && ++informational > MAX_INFORMATIONAL_ANSWERS) {
            const detail = `more than ${MAX_INFORMATIONAL_ANSWERS} informational (1xx) answers, the last ${statusCode}`;
            controller.abort(new EngineError('ENGINE_BAD_RESPONSE', `${request.method} ${request.path}: the engine sent invalid HTTP (${detail})`));
          }
        },
        onResponseData(_controller, chunk) {
          size += chunk.length;
          if (size <= MAX_ERROR_BODY_BYTES) chunks.push(chunk);
        },
        onResponseEnd() {
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300) {
            reject(
              new EngineError(
                'ENGINE_BAD_RESPONSE',
                `${request.method} ${request.path}: expected 101 Switching Protocols, got HTTP ${status}`,
              ),
            );
          } else {
            reject(apiError(status, body, request.method, request.path));
          }
        },
        onResponseError(_controller, err) {
          reject(err);
        },
      },
    );
  });
}
