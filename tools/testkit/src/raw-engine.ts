import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface RawRequest {
  socketPath: string;
  method?: string;
  path: string;
  body?: unknown;
  timeoutMs?: number;
}

/**
 * Opens one bare `http.request` over the engine socket (a new connection each time) and resolves with the
 * response head; the caller reads the body. The floor benchmarks compare against, and the test kit's way to reach
 * an engine without any pocketdock package.
 */
export function rawStream({ socketPath, method = 'GET', path, body, timeoutMs = 30_000 }: RawRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      socketPath,
      method,
      path,
      headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      timeout: timeoutMs,
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.end(payload);
  });
}

/** {@link rawStream}, with the body read to the end. */
export async function rawRequest(options: RawRequest): Promise<RawResponse> {
  const res = await rawStream(options);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

/** {@link rawRequest}, expecting a 2xx answer; returns the parsed JSON body (or undefined when empty). */
export async function rawJson<T = unknown>(options: RawRequest): Promise<T> {
  const res = await rawRequest(options);
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${options.method ?? 'GET'} ${options.path}: HTTP ${res.status}: ${res.body.toString().trim()}`);
  }
  return (res.body.length > 0 ? JSON.parse(res.body.toString()) : undefined) as T;
}
