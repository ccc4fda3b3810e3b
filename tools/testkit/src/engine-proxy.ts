import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { tempDir } from './temp-dir.js';

type OwnedDir = Awaited<ReturnType<typeof tempDir>>;

const REQUEST_LINE = /(?:^|\r\n)(GET|HEAD|POST|PUT|DELETE) (\S+) HTTP\/1\.[01]\r\n/g;

/**
 * A Unix socket at `path` that forwards every connection to the real engine's socket, and can be taken away
 * (`down()`: the listener closed and every open connection cut, as when the engine dies) and brought back (`up()`);
 * `mute()` lets requests through but drops every answer until `unmute()` (an engine that acts but never replies).
 * For "the engine disappears mid-operation" tests against the real engines.
 *
 * @example
 * await using proxy = await EngineProxy.start(engine.socketPath); // in a temp dir of its own, removed on dispose
 * // ... point the code under test at proxy.path, then: await proxy.down(); ... await proxy.up();
 */
export class EngineProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #muted = false;
  /**
   * `METHOD path` of every HTTP request line seen going to the engine, in order. Found by scanning the client's bytes
   * for request lines, so stdin bytes on a hijacked stream that spell one would count too: tests keep their input plain.
   * (A request line split between two reads would be missed: undici writes each request head in one write.)
   */
  readonly requests: string[] = [];

  constructor(
    readonly path: string,
    private readonly target: string,
    private readonly ownedDir?: OwnedDir,
  ) {}

  /** A proxy for `target` at a socket in a temp dir of its own, already up; disposing it takes it down and removes the dir. */
  static async start(target: string): Promise<EngineProxy> {
    const dir = await tempDir();
    const proxy = new EngineProxy(join(dir.path, 'engine.sock'), target, dir);
    try {
      await proxy.up();
    } catch (err) {
      await dir[Symbol.asyncDispose]();
      throw err;
    }
    return proxy;
  }

  /** Connections currently open through the proxy (each side counted once). */
  get connections(): number {
    return this.#sockets.size / 2;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      const answers = new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, this.#muted ? undefined : chunk) });
      const asks = new Transform({
        transform: (chunk: Buffer, _enc, done) => {
          for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) this.requests.push(`${m[1]} ${m[2]}`);
          done(null, chunk);
        },
      });
      client.pipe(asks).pipe(upstream).pipe(answers).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.path, resolve));
    this.#server = server;
  }

  /** From now on the engine's answers are dropped (on open connections too); requests still reach it. */
  mute(): void {
    this.#muted = true;
  }

  unmute(): void {
    this.#muted = false;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
    await this.ownedDir?.[Symbol.asyncDispose]();
  }
}
