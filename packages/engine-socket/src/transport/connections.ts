import { Client, Pool } from 'undici';
import type { Socket } from 'node:net';
import type { Dispatcher, buildConnector } from 'undici';
import type { ConnectionMode } from '../options.js';
import { describeEndpoint, undiciTarget } from '../remote/endpoint.js';
import type { Endpoint } from '../remote/endpoint.js';
import { SshTunnel } from '../remote/ssh-tunnel.js';

/** undici needs an origin; over a Unix socket only the Host header sees it. */
export const ORIGIN = 'http://localhost';

export interface ConnectionSettings {
  endpoint: Endpoint;
  mode: ConnectionMode;
  maxConnections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
}

/** A dispatcher for one operation, and what to call when the operation (body included) is over. */
export interface Lease {
  dispatcher: Dispatcher;
  /** True when the connection may be one an earlier call used (and the engine may have closed meanwhile). */
  reused: boolean;
  release(): void;
}

/**
 * The connection model. Short calls go to a keep-alive `Pool` (no pipelining: one request per connection at a
 * time) or, in per-operation mode, to a fresh `Client` destroyed when the call ends. Streams and hijacks always
 * get a dedicated `Client`, so they never hold a pooled connection and never queue behind one. Our own timeouts
 * replace undici's (`headersTimeout`/`bodyTimeout` 0): an events stream may stay quiet for hours.
 */
export class Connections {
  readonly #settings: ConnectionSettings;
  readonly #pool: Pool | undefined;
  readonly #dedicated = new Set<Client>();
  /** ssh: the one SSH connection every HTTP connection is a channel of. */
  readonly #tunnel: SshTunnel | undefined;

  constructor(settings: ConnectionSettings) {
    this.#settings = settings;
    const { endpoint } = settings;
    this.#tunnel = endpoint.transport === 'ssh' ? new SshTunnel({ ...endpoint, address: describeEndpoint(endpoint) }, settings.connectTimeoutMs) : undefined;
    const { origin, socketPath, connect } = this.#target(false);
    this.#pool =
      settings.mode === 'keep-alive'
        ? new Pool(origin, {
            ...(socketPath === undefined ? {} : { socketPath }),
            connect,
            connections: settings.maxConnections,
            pipelining: 1,
            connectTimeout: settings.connectTimeoutMs,
            keepAliveTimeout: settings.keepAliveTimeoutMs,
            keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
            headersTimeout: 0,
            bodyTimeout: 0,
          })
        : undefined;
  }

  /** For a short request/response call. */
  short(): Lease {
    if (this.#pool) return { dispatcher: this.#pool, reused: true, release: noop };
    return this.dedicated(false);
  }

  /**
   * A connection of its own, destroyed on release. `halfOpen` keeps our write side open after the engine ends
   * its side (hijacked streams: the caller decides when stdin ends).
   */
  dedicated(halfOpen: boolean): Lease {
    const { origin, socketPath, connect } = this.#target(halfOpen);
    const client = new Client(origin, {
      ...(socketPath === undefined ? {} : { socketPath }),
      connect,
      connectTimeout: this.#settings.connectTimeoutMs,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.#dedicated.add(client);
    let released = false;
    return {
      dispatcher: client,
      reused: false,
      release: () => {
        if (released) return;
        released = true;
        this.#dedicated.delete(client);
        client.destroy().catch(noop);
      },
    };
  }

  /**
   * Destroys every connection, pooled and dedicated. Calls still in flight fail (`ENGINE_CLOSED`) rather than
   * letting close() wait on them: a body nobody reads would otherwise hold it forever.
   */
  async close(): Promise<void> {
    const dedicated = [...this.#dedicated];
    this.#dedicated.clear();
    await Promise.all([this.#pool?.destroy(), ...dedicated.map((c) => c.destroy())]);
    await this.#tunnel?.close();
  }

  /** undici's origin and socket options; over ssh, a `connect` function that opens a dial-stdio channel. */
  #target(halfOpen: boolean): ReturnType<typeof undiciTarget> | { origin: string; socketPath?: undefined; connect: SshConnect } {
    const tunnel = this.#tunnel;
    if (tunnel === undefined) return undiciTarget(this.#settings.endpoint, halfOpen);
    const connect: SshConnect = (_options, callback) => {
      tunnel.open().then(
        // undici types the socket as net.Socket; it uses only what a Duplex has (and checks for the rest)
        (socket) => callback(null, socket as Socket),
        (err: Error) => callback(err, null),
      );
    };
    return { origin: 'http://localhost', connect };
  }
}

type SshConnect = (options: unknown, callback: buildConnector.Callback) => void;

function noop(): void {}
