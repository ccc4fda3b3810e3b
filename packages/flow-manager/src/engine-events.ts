import type { EngineClient } from '@pocketdock/engine-socket';

/** One container event from the engine's `/events` stream, reduced to what the flow-manager uses. */
export interface ContainerEvent {
  id: string;
  /** `create`, `start`, `die`, `stop`, `pause`, `unpause`, `restart`, `destroy` (Docker) / `remove` (Podman)... */
  action: string;
  exitCode: number | undefined;
  /** The engine's time of the event, in ms. */
  timeMs: number;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
  time?: number;
}

/**
 * Follows the engine's event stream for the containers carrying `label` (`key=value`), calling `onEvent` for each
 * and `onResync` after every (re)connection, so the caller can catch up on what happened while it was not
 * listening. A broken stream is reopened with backoff (100 ms doubling to 5 s); `stop()` ends it.
 */
export class EngineEventFollower {
  readonly #engine: EngineClient;
  readonly #label: string;
  readonly #onEvent: (event: ContainerEvent) => void;
  readonly #onResync: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #ready: (() => void) | undefined;

  constructor(options: {
    engine: EngineClient;
    label: string;
    onEvent: (event: ContainerEvent) => void;
    onResync: () => Promise<void>;
    onError: (err: unknown) => void;
  }) {
    this.#engine = options.engine;
    this.#label = options.label;
    this.#onEvent = options.onEvent;
    this.#onResync = options.onResync;
    this.#onError = options.onError;
  }

  /** Starts following; resolves once the stream is open and the first resync is done. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => (this.#ready = resolve));
    this.#loop ??= this.#run();
    return ready;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let delayMs = 100;
    while (!signal.aborted) {
      try {
        const events = await this.#engine.jsonLines<RawEvent>({
          path: '/events',
          query: { filters: { type: ['container'], label: [this.#label] } },
          signal,
        });
        await this.#onResync();
        this.#ready?.();
        delayMs = 100;
        for await (const raw of events) {
          const event = toEvent(raw);
          if (event) this.#onEvent(event);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#onError(err);
      }
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, delayMs).unref());
      delayMs = Math.min(delayMs * 2, 5_000);
    }
    this.#ready?.();
  }
}

function toEvent(raw: RawEvent): ContainerEvent | undefined {
  if ((raw.Type ?? 'container') !== 'container') return undefined;
  const id = raw.Actor?.ID ?? raw.id;
  const action = raw.Action?.split(':')[0]; // "exec_start: sh" and the like
  if (!id || !action) return undefined;
  const code = raw.Actor?.Attributes?.['exitCode'];
  return {
    id,
    action,
    exitCode: code === undefined ? undefined : Number(code),
    timeMs: raw.timeNano ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
  };
}
