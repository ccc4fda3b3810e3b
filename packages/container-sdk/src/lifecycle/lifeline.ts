import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import type { ExecHandle } from '../exec/exec-handle.js';
import { startDetached } from '../exec/process.js';
import type { Process } from '../exec/process.js';
import { LIFELINE_SCRIPT } from './reaper.js';
import type { ExpiryReason } from './reaper.js';

const EXPIRED = /expired (ttl|idle)/;
const RESTART_MS = 1_000;

/**
 * The owner's end of a self-reaping sandbox: one exec running {@link LIFELINE_SCRIPT}, its stdin held open by this
 * client. While it runs the sandbox is never idle; when this Node process dies the engine closes its stdin and the
 * idle timer starts. Its connection is unref'd: it never keeps Node running. Killed from inside (a pool reset) or
 * cut (an engine outage), it is started again a second later until `close()` or expiry.
 */
export class Lifeline {
  #input: PassThrough | undefined;
  #process: Process | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly engine: EngineClient,
    private readonly containerId: () => string,
    private readonly track: (handle: ExecHandle) => () => void,
    private readonly onExpired: (why: ExpiryReason) => void,
  ) {}

  /** Starts the exec; resolves once it runs (a failure rejects, and nothing is retried). */
  async start(): Promise<void> {
    const input = new PassThrough();
    let text = '';
    const proc = await startDetached(
      this.engine,
      this.containerId(),
      { argv: ['sh', '-c', LIFELINE_SCRIPT, 'pocketdock-lifeline'] },
      {
        bufferBytes: 1024,
        stdin: input,
        onStdout: (data) => {
          text = (text + data).slice(-64);
          const m = EXPIRED.exec(text);
          if (m) this.#expire(m[1] as ExpiryReason);
        },
        onExit: () => this.#ended(proc),
      },
      (handle) => {
        (handle.socket as Partial<Socket>).unref?.();
        return this.track(handle);
      },
    );
    if (this.#closed) {
      input.end();
      return;
    }
    this.#input = input;
    this.#process = proc;
  }

  /** Sends a command line (`k`, `t <s>`); false when no lifeline runs (the caller uses an exec instead). */
  send(line: string): boolean {
    const input = this.#input;
    if (!input || !this.#process?.isRunning()) return false;
    input.write(`${line}\n`);
    return true;
  }

  /** Ends the lifeline (its stdin closes: it exits) and stops restarting it. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#input?.end();
    this.#input = undefined;
  }

  #expire(why: ExpiryReason): void {
    if (this.#closed) return;
    this.close();
    this.onExpired(why);
  }

  #ended(proc: Process | undefined): void {
    if (this.#process === proc) this.#input = undefined;
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      if (this.#closed) return;
      this.start().catch((err: unknown) => {
        // The container gone or stopped: nothing to keep alive (the next call on the handle says why). Else (the
        // engine away) try again.
        const code = containerError(err, 'lifeline').code;
        if (code !== 'CONTAINER_NOT_FOUND' && code !== 'CONTAINER_NOT_RUNNING') this.#ended(undefined);
      });
    }, RESTART_MS);
    this.#timer.unref();
  }
}
