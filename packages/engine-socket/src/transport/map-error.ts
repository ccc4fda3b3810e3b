import { EngineError } from '../errors.js';

const CONNECT_FAILED = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ENOTSOCK', 'ENOTDIR', 'EAGAIN']);
const CONNECTION_LOST = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const CLOSED = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps an undici or socket error to the EngineError that says what happened; EngineErrors pass through. */
export function toEngineError(err: unknown, what: string): EngineError {
  if (EngineError.is(err)) return err;
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new EngineError('ENGINE_TIMEOUT', `${what}: connecting timed out (connectTimeoutMs)`, { cause: err });
  }
  if (code !== undefined && CONNECT_FAILED.has(code)) {
    return new EngineError('ENGINE_CONNECT_FAILED', `${what}: cannot connect to the engine socket (${code}: ${detail}); is the engine running?`, {
      cause: err,
    });
  }
  if (code === 'UND_ERR_ABORTED') {
    return new EngineError('ENGINE_ABORTED', `${what}: aborted (the body was destroyed before its end)`, { cause: err });
  }
  if (code !== undefined && CLOSED.has(code)) {
    return new EngineError('ENGINE_CLOSED', `${what}: the EngineClient was closed`, { cause: err });
  }
  if (code?.startsWith('HPE_') || code === 'UND_ERR_INFO') {
    return new EngineError('ENGINE_BAD_RESPONSE', `${what}: the engine sent invalid HTTP (${detail})`, { cause: err });
  }
  const lost = code === undefined || CONNECTION_LOST.has(code);
  return new EngineError('ENGINE_CONNECTION_LOST', `${what}: the connection to the engine was lost${lost ? '' : ` (${code})`}: ${detail}`, {
    cause: err,
  });
}
