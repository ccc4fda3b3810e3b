import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { MAX_API_VERSION, MIN_API_VERSION, negotiateApiVersion } from './api-version.js';
import { detectionHost } from './detection/detection-host.js';
import { EngineError } from './errors.js';
import { identifyEngine, isPodmanByHeaders } from './identify-engine.js';
import { loadUndici } from './load.js';
import type { EngineKind, VersionInfo } from './identify-engine.js';
import { parseConnectOptions } from './options.js';
import { describeEndpoint } from './remote/endpoint.js';
import type { Endpoint, Transport } from './remote/endpoint.js';
import { resolveEndpoint } from './remote/resolve-endpoint.js';
import type { ConnectOptions, ConnectionMode, ResolvedConnectOptions } from './options.js';
import { adoptBody } from './transport/adopt-body.js';
import { bridge } from './transport/bridge.js';
import { Connections } from './transport/connections.js';
import type { Lease } from './transport/connections.js';
import { JsonLineSplitter } from './transport/json-lines.js';
import { isBadHttp } from './transport/map-error.js';
import { Operation } from './transport/operation.js';
import { prepareRequest } from './transport/prepare-request.js';
import type { PreparedRequest, RequestOptions } from './transport/prepare-request.js';
import { parseJson, readApiError, readBody } from './transport/read-body.js';
import { requestBody } from './transport/request-body.js';
import { upgrade } from './transport/upgrade.js';

/** An engine answer with its body as a stream. The caller must read it to the end or destroy it. */
export interface EngineResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Options of `request()`: those of every call, plus `stream`. */
export interface StreamRequestOptions extends RequestOptions {
  /** The answer is a long-lived stream (logs, attach, events): give it a dedicated connection. */
  stream?: boolean;
}

/** A newline-delimited JSON stream: an object-mode Readable of parsed values. Destroy it to close the connection. */
export type JsonLinesStream<T> = Readable & AsyncIterable<T>;

const STALE = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const noop = (): void => {};

/**
 * A connection to a Docker-API engine (Docker or Podman) over its Unix socket, or TCP with TLS. Make one with
 * {@link EngineClient.connect}; close it with `close()` or `await using`.
 *
 * @example
 * await using engine = await EngineClient.connect();
 * const containers = await engine.json<{ Id: string }[]>({ path: '/containers/json', query: { all: true } });
 */
export class EngineClient implements AsyncDisposable {
  /** Which engine answers: `'docker'` or `'podman'`. */
  readonly engine: EngineKind;
  /** The negotiated API version; every path is sent as `/v{apiVersion}/...`. */
  readonly apiVersion: string;
  /** The Unix socket in use; for a remote engine the same as {@link EngineClient.address}. */
  readonly socketPath: string;
  /** How calls travel: `'unix'`, `'tcp'` (plain) or `'tls'`. */
  readonly transport: Transport;
  /** Where the engine is, as messages name it: the socket path, or e.g. `tcp://10.0.0.5:2376 (TLS)`. */
  readonly address: string;
  /** How short calls are carried. */
  readonly connectionMode: ConnectionMode;

  readonly #connections: Connections;
  readonly #options: ResolvedConnectOptions;
  readonly #apiPrefix: string;
  readonly #hijacked = new Set<Duplex>();
  #closing: Promise<void> | undefined;

  private constructor(endpoint: Endpoint, options: ResolvedConnectOptions, connections: Connections, apiVersion: string, engine: EngineKind) {
    this.transport = endpoint.transport;
    this.address = describeEndpoint(endpoint);
    this.socketPath = endpoint.transport === 'unix' ? endpoint.socketPath : this.address;
    this.#options = options;
    this.#connections = connections;
    this.apiVersion = apiVersion;
    this.#apiPrefix = apiVersion === '' ? '' : `/v${apiVersion}`;
    this.engine = engine;
    this.connectionMode = options.connectionMode;
  }

  /**
   * Finds the engine (unless `socketPath` or `dockerHost` is given: a Unix socket, or `tcp://` with TLS from
   * `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` or the `tls` option), pings it, negotiates the API version and
   * identifies the engine.
   *
   * @example
   * const engine = await EngineClient.connect({ socketPath: '/run/podman/podman.sock' });
   * console.log(engine.engine, engine.apiVersion); // 'podman' '1.41'
   * const remote = await EngineClient.connect({ dockerHost: 'tcp://10.0.0.5:2376', tls: { certPath: '/etc/docker-client' } });
   */
  static async connect(options: ConnectOptions = {}): Promise<EngineClient> {
    const opts = await parseConnectOptions(options);
    if (opts.signal?.aborted) throw new EngineError('ENGINE_ABORTED', 'connect: aborted before it started', { cause: opts.signal.reason });
    const host = detectionHost(opts.host as ConnectOptions['host']);
    const endpoint = await resolveEndpoint(opts, host);
    const undici = await loadUndici();
    const SshTunnel = endpoint.transport === 'ssh' ? (await import('./remote/ssh-tunnel.js')).SshTunnel : undefined;
    const settings = { undici, SshTunnel, endpoint, mode: opts.connectionMode, maxConnections: opts.maxConnections, keepAliveTimeoutMs: opts.keepAliveTimeoutMs, connectTimeoutMs: opts.connectTimeoutMs };
    // Negotiate over a bootstrap client that speaks unversioned paths, then hand its connections on.
    const connections = new Connections(settings);
    const bootstrap = new EngineClient(endpoint, opts, connections, '', 'docker');
    try {
      const ping = await bootstrap.request({ path: '/_ping', signal: opts.signal });
      const pingBody = await readBody(ping.body, 4096, `GET /_ping on ${bootstrap.address}`);
      if (ping.status !== 200) {
        throw new EngineError('ENGINE_CONNECT_FAILED', `${bootstrap.address} answered /_ping with HTTP ${ping.status}: ${pingBody.toString().trim()}`);
      }
      const header = ping.headers['api-version'];
      const apiVersion = negotiateApiVersion(Array.isArray(header) ? header[0] : header, { min: MIN_API_VERSION, max: opts.apiVersion ?? MAX_API_VERSION });
      const engine = isPodmanByHeaders(ping.headers)
        ? 'podman'
        : identifyEngine(ping.headers, await bootstrap.json<VersionInfo>({ path: `/v${apiVersion}/version`, signal: opts.signal }));
      return new EngineClient(endpoint, opts, connections, apiVersion, engine);
    } catch (err) {
      await connections.close();
      throw err;
    }
  }

  /**
   * One call; resolves with the status, headers and the body as a stream, whatever the status. Read the body to
   * the end or destroy it. Pass `stream: true` for long-lived answers: they get a dedicated connection.
   *
   * @example
   * const res = await engine.request({ path: `/containers/${id}/logs`, query: { stdout: true, follow: true }, stream: true });
   */
  async request(options: StreamRequestOptions): Promise<EngineResponse> {
    const req = prepareRequest(options, this.#apiPrefix, 'GET');
    const { op, held } = this.#begin(req, options, options.stream === true);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#send(held, req, op);
    } catch (err) {
      op.finish();
      held.lease.release();
      throw op.toError(err);
    }
    op.stopTimer();
    const body = adoptBody(res.body, (err) => op.toError(err), () => {
      op.finish();
      held.lease.release();
    });
    return { status: res.statusCode, headers: res.headers, body };
  }

  /**
   * One call whose answer is JSON; resolves with the parsed body (`undefined` when empty). A non-2xx answer
   * rejects with `ENGINE_API_ERROR` carrying the status and the engine's message.
   *
   * @example
   * const info = await engine.json<{ State: { Running: boolean } }>({ path: `/containers/${id}/json` });
   */
  async json<T = unknown>(options: RequestOptions): Promise<T> {
    const req = prepareRequest(options, this.#apiPrefix, 'GET');
    const { op, held } = this.#begin(req, options, false);
    try {
      const res = await this.#send(held, req, op);
      if (res.statusCode < 200 || res.statusCode > 299) throw await readApiError(res.statusCode, res.body, req.method, req.path, op.what);
      return parseJson(await readBody(res.body, this.#options.maxJsonBytes, op.what), op.what) as T;
    } catch (err) {
      throw op.toError(err);
    } finally {
      op.finish();
      held.lease.release();
    }
  }

  /**
   * A newline-delimited JSON stream (events, stats, pull progress) on a dedicated connection, as parsed values.
   * Values are framed by newline, never by chunk. Destroy the stream (or `break` out of `for await`) to close it.
   *
   * @example
   * const events = await engine.jsonLines<{ Action: string }>({ path: '/events' });
   * for await (const event of events) if (event.Action === 'die') break;
   */
  async jsonLines<T = unknown>(options: RequestOptions): Promise<JsonLinesStream<T>> {
    const req = prepareRequest(options, this.#apiPrefix, 'GET');
    const { op, held } = this.#begin(req, options, true);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#send(held, req, op);
      if (res.statusCode < 200 || res.statusCode > 299) throw await readApiError(res.statusCode, res.body, req.method, req.path, op.what);
    } catch (err) {
      op.finish();
      held.lease.release();
      throw op.toError(err);
    }
    op.stopTimer();
    return bridge(res.body, new JsonLineSplitter(this.#options.maxJsonBytes, op.what), (err) => op.toError(err), () => {
      op.finish();
      held.lease.release();
    }) as JsonLinesStream<T>;
  }

  /**
   * Upgrades one call (`Connection: Upgrade`, `Upgrade: tcp`; default method `POST`) on a dedicated connection
   * and resolves with the raw bidirectional stream after `101`. Bytes that came with the 101 are read first.
   * `end()` half-closes: the engine sees stdin EOF while output keeps coming. Destroy it to close.
   *
   * @example
   * const stream = await engine.hijack({ path: `/exec/${execId}/start`, body: { Detach: false, Tty: false } });
   * stream.end('input\n'); // stdin EOF; keep reading stream for the output
   */
  async hijack(options: RequestOptions): Promise<Duplex> {
    const req = prepareRequest(options, this.#apiPrefix, 'POST');
    if (req.body instanceof Readable) {
      throw new EngineError('ENGINE_INVALID_OPTIONS', 'hijack: body must be a plain value, a string or a Buffer (not a stream)');
    }
    const { op, held } = this.#begin(req, options, true, true);
    const { lease } = held;
    const onAbortBeforeUpgrade = (): void => void lease.dispatcher.destroy(op.signal.reason as Error).catch(noop);
    op.signal.once('abort', onAbortBeforeUpgrade);
    let socket: Duplex;
    try {
      ({ socket } = await upgrade(lease.dispatcher, { ...req, body: req.body }));
    } catch (err) {
      op.finish();
      lease.release();
      throw op.toError(err);
    } finally {
      op.signal.removeListener('abort', onAbortBeforeUpgrade);
    }
    op.stopTimer();
    lease.release(); // the socket is detached from its undici Client now; the Client holds nothing
    const onAbort = (): void => void socket.destroy(op.toError(op.signal.reason));
    op.signal.once('abort', onAbort);
    this.#hijacked.add(socket);
    socket.once('close', () => {
      op.signal.removeListener('abort', onAbort);
      op.finish();
      this.#hijacked.delete(socket);
    });
    if (op.signal.aborted) onAbort();
    return socket;
  }

  /** Closes every connection, streams and hijacked sockets included; calls still in flight fail with `ENGINE_CLOSED`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const socket of this.#hijacked) socket.destroy();
      this.#hijacked.clear();
      await this.#connections.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #begin(req: PreparedRequest, options: RequestOptions, dedicated: boolean, halfOpen = false): { op: Operation; held: { lease: Lease } } {
    if (this.#closing) throw new EngineError('ENGINE_CLOSED', `${req.method} ${req.path}: the EngineClient was closed`);
    const op = new Operation(`${req.method} ${req.path} on ${this.address}`, options.timeoutMs ?? this.#options.timeoutMs, options.signal);
    return { op, held: { lease: dedicated ? this.#connections.dedicated(halfOpen) : this.#connections.short() } };
  }

  /**
   * Sends on the lease. A kept-alive connection the engine had closed (reset before any answer) is retried once,
   * on a fresh connection, when that is safe: GET/HEAD without a stream body. The lease then becomes the fresh one.
   */
  async #send(held: { lease: Lease }, req: PreparedRequest, op: Operation): Promise<Dispatcher.ResponseData> {
    // a fresh body per attempt: a large Buffer goes as a stream of slices, which one attempt consumes
    const send = (lease: Lease): Promise<Dispatcher.ResponseData> =>
      lease.dispatcher.request({ method: req.method, path: req.path, ...requestBody(req.body, req.headers), signal: op.signal, onInfo: op.onInfo });
    try {
      return await send(held.lease);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (!held.lease.reused || !req.retryable || op.signal.aborted || typeof code !== 'string' || !STALE.has(code) || isBadHttp(err)) throw err;
      held.lease.release();
      held.lease = this.#connections.dedicated(false);
      return send(held.lease);
    }
  }
}
