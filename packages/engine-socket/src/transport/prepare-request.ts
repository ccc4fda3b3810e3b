import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EngineError } from '../errors.js';

/**
 * A query value: objects (e.g. `filters`) are sent as JSON; arrays repeat the key (`changes=a&changes=b`, as the
 * engines read repeated parameters); `undefined` and `null` are left out.
 */
export type QueryValue = string | number | boolean | undefined | null | Record<string, unknown> | unknown[];

/** What every engine call takes. */
export interface RequestOptions {
  /** HTTP method; default `GET` (`POST` for `hijack`). */
  method?: string;
  /** API path without the version, e.g. `/containers/json`; sent as `/v{apiVersion}/containers/json`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** A plain value is sent as JSON; a Buffer, string or Readable as is. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Most time for the call. `json()`: the whole answer. `request()`, `jsonLines()`: until the response head
   * (a stream may then run as long as it likes). `hijack()`: until the 101. Default: the client's `timeoutMs`.
   */
  timeoutMs?: number;
}

export interface PreparedRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | Uint8Array | Readable | undefined;
  /** Safe to send again on a fresh connection when a kept-alive one turned out closed. */
  retryable: boolean;
}

function queryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
    } else {
      params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Validates and encodes one call: versioned path and query, JSON body with its content type. */
export function prepareRequest(options: RequestOptions, apiPrefix: string, defaultMethod: Dispatcher.HttpMethod): PreparedRequest {
  if (typeof options?.path !== 'string' || !options.path.startsWith('/')) {
    throw new EngineError('ENGINE_INVALID_OPTIONS', `path must be a string starting with "/" (got ${String(options?.path)})`);
  }
  const method: Dispatcher.HttpMethod = options.method?.toUpperCase() ?? defaultMethod;
  const path = apiPrefix + options.path + (options.query ? queryString(options.query) : '');
  const headers: Record<string, string> = {};
  if (options.headers !== undefined) for (const [k, v] of Object.entries(options.headers)) headers[k.toLowerCase()] = v;
  let body: PreparedRequest['body'];
  const raw = options.body;
  if (raw === undefined) {
    body = undefined;
  } else if (typeof raw === 'string' || raw instanceof Uint8Array || raw instanceof Readable) {
    body = raw;
  } else {
    body = JSON.stringify(raw);
    headers['content-type'] ??= 'application/json';
  }
  const retryable = (method === 'GET' || method === 'HEAD') && !(body instanceof Readable);
  return { method, path, headers, body, retryable };
}
