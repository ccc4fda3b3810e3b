import type { Container, NewContainerOptions } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { FlowManager } from '@pocketdock/flow-manager';
import type { SocketClient, SocketServer } from '@pocketdock/ipc-core';
import type { Pool } from '@pocketdock/pool';
import { createClient, createServer } from './create-socket.js';
import type { CreateClientOptions, CreateServerOptions } from './create-socket.js';
import { FactoryError } from './errors.js';
import { loadSettings } from './load-settings.js';
import type { LoadSettingsOptions } from './load-settings.js';
import { createLogger } from './log.js';
import type { PocketdockLogger } from './log.js';
import { closest } from './settings/did-you-mean.js';
import type { Settings } from './settings/settings.js';
import type { SocketType } from './socket-type.js';
import { connectOptions, flowManagerOptions, poolOptions, sandboxOptions } from './wiring.js';

export interface CreatePocketdockOptions extends LoadSettingsOptions {
  /** Settings already loaded; `env` and `cwd` then serve engine detection only. */
  settings?: Settings;
  /** Where the factory's own lines go. Default: the `log` settings, on stderr. */
  logger?: PocketdockLogger;
}

/** `createNewContainer` options over the `sandbox` settings; `maxOutputBytes` is the default of the sandbox's `run()`. */
export type PocketdockContainerOptions = Omit<NewContainerOptions, 'engine' | 'socketPath'> & { maxOutputBytes?: number };

/** How long `close()` waits for pool leases still out before it revokes them. */
const LEASE_GRACE_MS = 5_000;

type Settled<T> = Promise<T | undefined>;
const settled = <T>(p: Promise<T> | undefined): Settled<T> => (p ? p.catch(() => undefined) : Promise.resolve(undefined));
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Everything pocketdock makes, wired from one layered configuration: sandboxes, pools, the flow-manager and ipc
 * servers and clients, over one shared engine client (connected on first use). `close()` ends all of it.
 *
 * @example
 * await using pd = await createPocketdock();
 * await using sandbox = await pd.createContainer({ cpuPercent: 50 });
 * const pool = await pd.pool('runners');
 */
export class Pocketdock implements AsyncDisposable {
  /** The settings this instance was made from. */
  readonly settings: Settings;
  /** The factory's own log (pool background failures, close problems). */
  readonly log: PocketdockLogger;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #cwd: string;
  #engine: Promise<EngineClient> | undefined;
  #flowManager: Promise<FlowManager> | undefined;
  readonly #pools = new Map<string, Promise<Pool>>();
  readonly #containers = new Set<Container>();
  readonly #servers = new Set<SocketServer>();
  readonly #clients = new Set<SocketClient>();
  readonly #pending = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  /** @internal use `createPocketdock()` */
  constructor(settings: Settings, options: CreatePocketdockOptions = {}) {
    this.settings = settings;
    this.log = options.logger ?? createLogger(settings.log);
    this.#env = options.env ?? process.env;
    this.#cwd = options.cwd ?? process.cwd();
    this.log.debug('settings loaded', { files: settings.files, environment: settings.environment });
  }

  /** The shared engine client, connected on the first call (from the `engine` settings). */
  engine(): Promise<EngineClient> {
    const closed = this.#closed('engine');
    if (closed) return closed;
    if (!this.#engine) {
      const connecting = this.#track(
        import('@pocketdock/engine-socket').then(({ EngineClient }) => EngineClient.connect(connectOptions(this.settings, this.#env, this.#cwd))),
      );
      this.#engine = connecting;
      connecting.catch(() => {
        if (this.#engine === connecting) this.#engine = undefined; // a later call tries again
      });
    }
    return this.#engine;
  }

  /**
   * A new sandbox: the `sandbox` settings, then `options` (`env` and `labels` merge key by key). Shut down by
   * `close()` unless `persist`.
   *
   * @example
   * await using sandbox = await pd.createContainer({ cpuPercent: 50 });
   */
  createContainer(options: PocketdockContainerOptions = {}): Promise<Container> {
    return this.#closed('createContainer') ?? this.#track(this.#createContainer(options));
  }

  async #createContainer(options: PocketdockContainerOptions): Promise<Container> {
    const { maxOutputBytes, ...rest } = options;
    const [{ createNewContainer }, engine] = await Promise.all([import('@pocketdock/container-sdk'), this.engine()]);
    const container = await createNewContainer({ ...sandboxOptions(this.settings, rest), engine });
    this.#containers.add(container);
    const shutdown = container.shutdown.bind(container);
    container.shutdown = (o) => {
      this.#containers.delete(container);
      return shutdown(o);
    };
    const limit = maxOutputBytes ?? this.settings.sandbox.maxOutputBytes;
    if (limit !== undefined) {
      // container-sdk takes maxOutputBytes per run only: this sandbox's runs get it unless they say otherwise.
      const run = container.run.bind(container) as (cmd: unknown, o?: object) => unknown;
      container.run = ((cmd: unknown, o: object = {}) => run(cmd, { maxOutputBytes: limit, ...o })) as Container['run'];
    }
    return container;
  }

  /**
   * Pool `name` of the `pools` settings, created on the first call and shared by every later one; shut down by
   * `close()`. A name not in the settings is `FACTORY_UNKNOWN_POOL`.
   *
   * @example
   * const pool = await pd.pool('runners');
   * await using lease = await pool.acquire();
   */
  pool(name: string): Promise<Pool> {
    const closed = this.#closed('pool');
    if (closed) return closed;
    const existing = this.#pools.get(name);
    if (existing) return existing;
    if (!Object.hasOwn(this.settings.pools, name)) {
      const names = Object.keys(this.settings.pools);
      const near = closest(name, names);
      const known = names.length > 0 ? `pools: ${names.join(', ')}` : 'no pools are set';
      return Promise.reject(new FactoryError('FACTORY_UNKNOWN_POOL', `no pool "${name}" in the settings (${known})${near ? `; did you mean "${near}"?` : ''}`));
    }
    const creating = this.#track(
      Promise.all([import('@pocketdock/pool'), this.engine()]).then(([{ createPool }, engine]) =>
        createPool({
          ...poolOptions(this.settings, name),
          engine,
          onError: (err) => this.log.error(`pool ${name}: ${err.message}`, { pool: name, code: (err as { code?: unknown }).code }),
        }),
      ),
    );
    this.#pools.set(name, creating);
    creating.catch(() => {
      if (this.#pools.get(name) === creating) this.#pools.delete(name);
    });
    return creating;
  }

  /** The flow-manager of the `flowManager` settings, started on the first call and shared; stopped by `close()`. */
  flowManager(): Promise<FlowManager> {
    const closed = this.#closed('flowManager');
    if (closed) return closed;
    if (!this.#flowManager) {
      const starting = this.#track(
        Promise.all([import('@pocketdock/flow-manager'), this.engine()]).then(([{ FlowManager }, engine]) => FlowManager.start({ ...flowManagerOptions(this.settings), engine })),
      );
      this.#flowManager = starting;
      starting.catch(() => {
        if (this.#flowManager === starting) this.#flowManager = undefined;
      });
    }
    return this.#flowManager;
  }

  /** `createServer(type, eventName, options)` from the `ipc` settings; stopped by `close()`. */
  ipcServer(type: SocketType | 'unix' | 'tcp', eventName: string, options: Omit<CreateServerOptions, 'settings'> = {}): SocketServer {
    this.#assertOpen('ipcServer');
    const server = createServer(type, eventName, { ...options, settings: this.settings });
    this.#servers.add(server);
    return server;
  }

  /** `createClient(type, eventName, options)` from the `ipc` settings; disconnected by `close()`. */
  ipcClient(type: SocketType | 'unix' | 'tcp', eventName: string, options: Omit<CreateClientOptions, 'settings'> = {}): SocketClient {
    this.#assertOpen('ipcClient');
    const client = createClient(type, eventName, { ...options, settings: this.settings });
    this.#clients.add(client);
    return client;
  }

  /**
   * Ends everything this instance made, after whatever is still being made: the flow-manager stopped, pools shut
   * down, sandboxes shut down (not those with `persist`), ipc clients disconnected and servers stopped; then the
   * engine client closed. Pool leases still out are waited for until `signal` fires (default: 5 s), then revoked.
   * Idempotent (later calls get the first call's outcome). A part that fails to end does not stop the others:
   * `FACTORY_CLOSE_FAILED` afterwards, `cause` an AggregateError of each failure.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closing ??= this.#close(options.signal ?? AbortSignal.timeout(LEASE_GRACE_MS));
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(signal: AbortSignal): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    const failures: unknown[] = [];
    const attempt = async (what: string, end: () => Promise<unknown>): Promise<void> => {
      try {
        await end();
      } catch (err) {
        failures.push(err);
        this.log.warn(`close: ${what} did not end: ${messageOf(err)}`);
      }
    };
    const fm = await settled(this.#flowManager);
    const pools = await Promise.all([...this.#pools.values()].map((p) => settled(p)));
    await Promise.all([
      fm && attempt('the flow-manager', () => fm.stop()),
      ...pools.map((pool) => pool && attempt(`pool ${pool.name}`, () => pool.shutdown({ signal }))),
      ...[...this.#containers].filter((c) => !c.persist).map((c) => attempt(`sandbox ${c.name}`, () => c.shutdown())),
      ...[...this.#clients].map((c) => attempt('an ipc client', () => c.disconnect())),
      ...[...this.#servers].map((s) => attempt('an ipc server', () => s.stop())),
    ]);
    const engine = await settled(this.#engine);
    if (engine) await attempt('the engine client', () => engine.close());
    if (failures.length > 0) {
      throw new FactoryError('FACTORY_CLOSE_FAILED', `close: ${failures.length} part(s) did not end: ${failures.map(messageOf).join('; ')}`, {
        cause: new AggregateError(failures),
      });
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = (): void => void this.#pending.delete(work);
    work.then(done, done);
    return work;
  }

  #assertOpen(what: string): void {
    if (this.#closing) throw new FactoryError('FACTORY_CLOSED', `${what}: this pocketdock instance is closed`);
  }

  /** A rejection with `FACTORY_CLOSED` once `close()` was called, else undefined. */
  #closed(what: string): Promise<never> | undefined {
    return this.#closing ? Promise.reject(new FactoryError('FACTORY_CLOSED', `${what}: this pocketdock instance is closed`)) : undefined;
  }
}

/**
 * Loads the settings (see `loadSettings`) and returns a {@link Pocketdock} made from them. Nothing is connected
 * or started until first used; pool and flow-manager code is loaded only then.
 *
 * @example
 * await using pd = await createPocketdock({ overrides: { sandbox: { memLimit: '256m' } } });
 * pd.settings.get('sandbox.memLimit'); // '256m'
 */
export function createPocketdock(options: CreatePocketdockOptions = {}): Promise<Pocketdock> {
  return new Promise((resolve) => resolve(new Pocketdock(options.settings ?? loadSettings(options), options)));
}
