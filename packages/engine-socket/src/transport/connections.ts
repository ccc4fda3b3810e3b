import type { Socket } from 'node:net';
import type * as Undici from 'undici';
import type { Client, Dispatcher, Pool, buildConnector } from 'undici';
import type { ConnectionMode } from '../options.js';
import { describeEndpoint, undiciTarget } from '../remote/endpoint.js';
import type { Endpoint } from '../remote/endpoint.js';
import type { SshTunnel } from '../remote/ssh-tunnel.js';

/** undici needs an origin; over a Unix socket only the Host header sees it. */
export const ORIGIN = 'http://localhost';

export interface ConnectionSettings {
  endpoint: Endpoint;
  mode: ConnectionMode;
  maxConnections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  /** undici's module, loaded by the caller (load.ts). */
  undici: typeof Undici;
  /** ssh: the tunnel class, loaded by the caller (load.ts): only ssh needs ssh2 and the known_hosts code. */
  SshTunnel?: typeof SshTunnel | undefined;
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
  /** The one lease of every short call in keep-alive mode (nothing to release: the Pool takes the connection back). */
  readonly #pooled: Lease | undefined;
  readonly #dedicated = new Set<Client>();
  /** ssh: the one SSH connection every HTTP connection is a channel of. */
  readonly #tunnel: SshTunnel | undefined;

  constructor(settings: ConnectionSettings) {
    this.#settings = settings;
    const { endpoint } = settings;
    this.#tunnel = endpoint.transport === 'ssh' ? new (sshTunnelClass(settings))({ ...endpoint, address: describeEndpoint(endpoint) }, settings.connectTimeoutMs) : undefined;
    const { origin, socketPath, connect } = this.#target(false);
    this.#pool =
      settings.mode === 'keep-alive'
        ? new settings.undici.Pool(origin, {
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
    this.#pooled = this.#pool === undefined ? undefined : Object.freeze({ dispatcher: this.#pool, reused: true, release: noop });
  }

  /** For a short request/response call. */
  short(): Lease {
    if (this.#pooled) return this.#pooled;
    return this.dedicated(false);
  }

  /**
   * A connection of its own, destroyed on release. `halfOpen` keeps our write side open after the engine ends
   * its side (hijacked streams: the caller decides when stdin ends).
   */
  dedicated(halfOpen: boolean): Lease {
    const { origin, socketPath, connect } = this.#target(halfOpen);
    const client = new this.#settings.undici.Client(origin, {
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

function sshTunnelClass(settings: ConnectionSettings): typeof SshTunnel {
  if (settings.SshTunnel === undefined) throw new Error('Connections: an ssh endpoint needs settings.SshTunnel');
  return settings.SshTunnel;
}

type SshConnect = (options: unknown, callback: buildConnector.Callback) => void;

function noop(): void {}
