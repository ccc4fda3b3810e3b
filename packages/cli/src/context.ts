import type { Pocketdock } from '@pocketdock/factory';
import type { EngineClient } from '@pocketdock/engine-socket';
import { Output } from './output.js';

/** The global options every command gets. */
export interface GlobalOptions {
  socket?: string;
  /** `-H, --host`: `engine.host` over every settings layer. */
  host?: string;
  /** `--context`: `engine.context` over every settings layer. */
  context?: string;
  project?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * What a command runs with: the global options, the output, and the factory's `Pocketdock`, made (and the factory
 * imported) on first use only, so commands that need no engine start fast.
 */
export class Context {
  readonly out: Output;
  #pd: Promise<Pocketdock> | undefined;
  #engine: Promise<EngineClient> | undefined;
  /** The client connected here (not through the factory), closed by `close()`. */
  #own: EngineClient | undefined;

  constructor(readonly options: GlobalOptions) {
    this.out = new Output(options);
  }

  /** The factory instance: settings layers, then `--socket` and `--verbose` over them. */
  pocketdock(fallbacks?: (settings: Pocketdock['settings']) => Record<string, unknown> | undefined): Promise<Pocketdock> {
    this.#pd ??= (async () => {
      const { createPocketdock, loadSettings } = await import('@pocketdock/factory');
      const overrides: Record<string, unknown> = {};
      const { socket, host, context } = this.options;
      const engine = { ...(socket === undefined ? {} : { socket }), ...(host === undefined ? {} : { host }), ...(context === undefined ? {} : { context }) };
      if (Object.keys(engine).length > 0) overrides.engine = engine; // two of them: FACTORY_INVALID_SETTINGS, as docker refuses -H with --context
      if (this.options.verbose) overrides.log = { level: 'debug', format: 'text' };
      let settings = loadSettings({ overrides });
      // Values a command supplies where no layer set one (e.g. serve's dashboard page): settings stay above them.
      const extra = fallbacks?.(settings);
      if (extra !== undefined) settings = loadSettings({ overrides: { ...overrides, ...extra } });
      return createPocketdock({ settings });
    })();
    return this.#pd;
  }

  /**
   * The shared engine client; with `--verbose`, says which engine answered. With `--socket`, and when the command
   * has not needed the settings before, it is connected here: the factory (and zod, yaml, smol-toml, ipc-core with
   * it) is then never loaded, which is most of a `run`'s start-up. The `engine.*` settings (timeouts, connection
   * mode) then keep engine-socket's defaults.
   */
  engine(): Promise<EngineClient> {
    this.#engine ??= (async () => {
      const started = performance.now();
      let engine: EngineClient;
      if (this.options.socket !== undefined && this.options.host === undefined && this.options.context === undefined && this.#pd === undefined) {
        const { EngineClient } = await import('@pocketdock/engine-socket');
        engine = this.#own = await EngineClient.connect({ socketPath: this.options.socket, configFiles: false });
      } else {
        engine = await (await this.pocketdock()).engine();
      }
      this.out.verbose(`engine ${engine.engine} at ${engine.socketPath}, API ${engine.apiVersion} (${Math.round(performance.now() - started)} ms)`);
      return engine;
    })();
    return this.#engine;
  }

  /** `--project`, else the `sandbox.project` setting. */
  async project(): Promise<string | undefined> {
    if (this.options.project !== undefined) return this.options.project;
    return (await this.pocketdock()).settings.get('sandbox.project');
  }

  /** Ends what the factory made (the engine connection); idempotent. */
  async close(): Promise<void> {
    await this.#own?.close().catch(() => undefined);
    if (this.#pd === undefined) return;
    const pd = await this.#pd.catch(() => undefined);
    await pd?.close();
  }
}
