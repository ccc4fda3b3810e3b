import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Which accepted connection (0-based) carried this request. */
  connection: number;
}

/** Handles one request by writing raw bytes to the socket (or not: a hung engine). */
export type Route = (req: FakeRequest, socket: Socket) => void;

export interface FakeEngine {
  socketPath: string;
  dir: string;
  requests: FakeRequest[];
  /** Connections accepted so far. */
  connections(): number;
  /** Connections currently open. */
  openConnections(): number;
  /** Whether accepted connection `n` (0-based, as in `FakeRequest.connection`) is still open. */
  isOpen(n: number): boolean;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A raw HTTP/1.1 answer; `keepAlive: false` adds `Connection: close` and ends the socket. */
export function respond(
  socket: Socket,
  status: number,
  body: string | Buffer = '',
  headers: Record<string, string> = {},
  { keepAlive = true }: { keepAlive?: boolean } = {},
): void {
  const payload = Buffer.from(body);
  const head = [`HTTP/1.1 ${status} X`, `Content-Length: ${payload.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (!keepAlive) head.push('Connection: close');
  socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload]));
  if (!keepAlive) socket.end();
}

export const json = (socket: Socket, value: unknown, status = 200): void =>
  respond(socket, status, JSON.stringify(value), { 'Content-Type': 'application/json' });

/** Writes a chunked head; then use {@link chunk} and {@link lastChunk}. */
export function chunkedHead(socket: Socket, status = 200, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} X`, 'Transfer-Encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}
export const chunk = (socket: Socket, data: string | Buffer): boolean => {
  const bytes = Buffer.from(data);
  return socket.write(Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]));
};
export const lastChunk = (socket: Socket): boolean => socket.write('0\r\n\r\n');

/** Default answers that let `EngineClient.connect` succeed: a Docker speaking API 1.41. */
export const DOCKER_ROUTES: Record<string, Route> = {
  '/_ping': (_req, s) => respond(s, 200, 'OK', { 'Api-Version': '1.41', Server: 'Docker/20.10 (linux)' }),
  '/v1.41/version': (_req, s) => json(s, { Version: '20.10', ApiVersion: '1.41', Components: [{ Name: 'Engine' }] }),
};

/**
 * A fake engine on a Unix socket in a fresh temp dir: parses each request head (and a Content-Length body) and
 * hands it to the route for its path (query stripped), which writes whatever raw bytes the test needs. Requests
 * with an `Upgrade` header stop the parser: the route owns the socket from then on.
 */
export async function fakeEngine(routes: Record<string, Route>): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketdock-es-'));
  const socketPath = join(dir, 'engine.sock');
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const byIndex: Socket[] = [];
  let accepted = 0;
  const all = { ...DOCKER_ROUTES, ...routes };
  // allowHalfOpen: like the engines, keep answering after the client half-closes (stdin EOF on a hijacked stream)
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = accepted++;
    sockets.add(socket);
    byIndex[connection] = socket;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.on('end', () => {
      if (!upgraded) socket.end();
    });
    const onData = (data: Buffer): void => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const [line = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const [method = '', path = ''] = line.split(' ');
        const req: FakeRequest = { method, path, headers, body: buffer.subarray(end + 4, end + 4 + length), connection };
        buffer = buffer.subarray(end + 4 + length);
        requests.push(req);
        const route = all[path.split('?')[0]!] ?? ((_r, s) => respond(s, 404, JSON.stringify({ message: `no route ${path}` })));
        if (headers.upgrade) {
          upgraded = true;
          socket.off('data', onData);
          if (buffer.length > 0) socket.unshift(buffer);
          route(req, socket);
          return;
        }
        route(req, socket);
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return {
    socketPath,
    dir,
    requests,
    connections: () => accepted,
    openConnections: () => sockets.size,
    isOpen: (n) => byIndex[n] !== undefined && sockets.has(byIndex[n]),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Reads a stream to the end as one Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** Rejects with whatever `promise` rejects with; fails if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure, got success');
}

/** The `code` of what `fn` throws synchronously (fails if it does not throw). */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  throw new Error('expected a throw');
}
