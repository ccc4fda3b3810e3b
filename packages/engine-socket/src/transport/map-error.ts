import { EngineError } from '../errors.js';

const CONNECT_FAILED = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOTSOCK',
  'ENOTDIR',
  'EAGAIN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** OpenSSL's certificate verdicts (Node's `err.code`); `ERR_SSL_*`, `ERR_TLS_*` and `EPROTO` are TLS too. */
const TLS_FAILED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && (TLS_FAILED.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}
const CONNECTION_LOST = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const CLOSED = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/** undici destroys the socket with a SocketError of this message when the engine sends such an answer. */
const BAD_ANSWERS = new Map([
  ['bad response', 'an unexpected 100 Continue, or an answer to no request'],
  ['bad upgrade', '101 Switching Protocols to a call that asked for no upgrade'],
]);

/**
 * What was wrong, when `err` is undici rejecting the engine's HTTP; undefined otherwise. undici 7's parser errors
 * carry no `HPE_` code (it looks the code up by number in a table keyed by name), so they are known by name.
 */
function badHttp(err: unknown, code: string | undefined): string | undefined {
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  const detail = typeof message === 'string' ? message : String(err);
  if (name === 'HTTPParserError' || code?.startsWith('HPE_') || code === 'UND_ERR_INFO') return detail;
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return `the response head is larger than the client accepts: ${detail}`;
  if (code === 'UND_ERR_SOCKET' && typeof message === 'string' && BAD_ANSWERS.has(message)) return BAD_ANSWERS.get(message);
  // A 101 without an Upgrade header trips an assertion in undici's parser: nothing else in a call asserts.
  if (code === 'ERR_ASSERTION') return `an answer the HTTP client cannot handle, such as 101 Switching Protocols without Upgrade: ${detail.replace(/\s+/g, ' ').trim()}`;
  return undefined;
}

/** True when `err` is undici rejecting what the engine sent (invalid HTTP): never worth a retry. */
export function isBadHttp(err: unknown): boolean {
  return badHttp(err, codeOf(err)) !== undefined;
}

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
  if (isTlsFailure(code)) {
    return new EngineError('ENGINE_TLS_FAILED', `${what}: TLS with the engine failed (${code}: ${detail}); check the CA, client certificate and host name`, {
      cause: err,
    });
  }
  if (code !== undefined && CONNECT_FAILED.has(code)) {
    return new EngineError('ENGINE_CONNECT_FAILED', `${what}: cannot connect to the engine (${code}: ${detail}); is the engine running?`, {
      cause: err,
    });
  }
  if (code === 'UND_ERR_ABORTED') {
    return new EngineError('ENGINE_ABORTED', `${what}: aborted (the body was destroyed before its end)`, { cause: err });
  }
  if (code !== undefined && CLOSED.has(code)) {
    return new EngineError('ENGINE_CLOSED', `${what}: the EngineClient was closed`, { cause: err });
  }
  const bad = badHttp(err, code);
  if (bad !== undefined) {
    return new EngineError('ENGINE_BAD_RESPONSE', `${what}: the engine sent invalid HTTP (${bad})`, { cause: err });
  }
  const lost = code === undefined || CONNECTION_LOST.has(code);
  return new EngineError('ENGINE_CONNECTION_LOST', `${what}: the connection to the engine was lost${lost ? '' : ` (${code})`}: ${detail}`, {
    cause: err,
  });
}
