import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import { TIMEOUT_EXIT_CODE } from '../exec-types.js';
import type { ExecResult } from '../exec-types.js';
import { parseOptions, waitOptionsSchema } from '../options.js';
import { armDeadline, neverStarted } from './deadline.js';
import { ExecHandle } from './exec-handle.js';
import type { ExecSpec } from './exec-handle.js';
import { RingBuffer } from './ring-buffer.js';
import { safeCall } from './safe-call.js';

export interface DetachedRun {
  bufferBytes: number;
  timeoutMs?: number | undefined;
  stdin?: string | Buffer | Readable | undefined;
  onStdout?: ((data: string) => unknown) | undefined;
  onStderr?: ((data: string) => unknown) | undefined;
  onExit?: ((result: ExecResult) => unknown) | undefined;
  onCallbackError?: ((err: unknown) => void) | undefined;
}

/**
 * A command running in the background. Its output is kept in a ring buffer per stream (newest bytes kept;
 * `bufferOverflow` says when older ones were dropped); `read()` drains it, `peek()` does not. Callbacks receive
 * the output as it arrives; an exception in one is reported as a process warning and breaks nothing.
 *
 * @example
 * const p = await c.run('./server', { detach: true, onStdout: (s) => log(s) });
 * if (p.isRunning()) await p.kill();
 * const { exitCode } = await p.wait();
 */
export class Process {
  /** Undefined when its `timeoutMs` ran out before the exec had started: it never ran. */
  readonly #handle: ExecHandle | undefined;
  readonly #rings: { stdout: RingBuffer; stderr: RingBuffer };
  readonly #result: Promise<ExecResult>;
  #killed = false;

  /** @internal use `Container.run(cmd, { detach: true })` */
  constructor(handle: ExecHandle | undefined, rings: { stdout: RingBuffer; stderr: RingBuffer }, result: Promise<ExecResult>) {
    this.#handle = handle;
    this.#rings = rings;
    this.#result = result;
    result.catch(() => undefined); // it rejects only when the engine went away; wait() reports that to who asks
  }

  /** The engine's exec id ('' for a process whose `timeoutMs` ran out before it started). */
  get id(): string {
    return this.#handle?.execId ?? '';
  }

  isRunning(): boolean {
    return this.#handle?.running ?? false;
  }

  /** True once either ring buffer dropped output to make room. */
  get bufferOverflow(): boolean {
    return this.#rings.stdout.overflowed || this.#rings.stderr.overflowed;
  }

  /**
   * Sends `signal` (default KILL) to the command and the processes it started, inside the container. With KILL,
   * resolves once the process has ended.
   */
  async kill(signal = 'KILL'): Promise<void> {
    if (signal.toUpperCase().replace(/^SIG/, '') === 'KILL') this.#killed = true;
    await this.#handle?.kill(signal);
  }

  /**
   * Waits for the command to end: its result carries the real duration and the output still buffered (not
   * drained). Rejects with `CONTAINER_WAIT_TIMEOUT` after `timeoutMs`; the process keeps running then. Rejects
   * with `CONTAINER_ENGINE_ERROR` when the output ended because the engine went away (the outcome is unknown).
   */
  async wait(options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    parseOptions(waitOptionsSchema, options, 'Process.wait');
    if (options.timeoutMs === undefined) return this.#result;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ContainerError('CONTAINER_WAIT_TIMEOUT', `process ${this.id.slice(0, 12)} still running after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The buffered output, removed from the buffers. */
  read(): { stdout: string; stderr: string } {
    return { stdout: this.#rings.stdout.drain().toString('utf8'), stderr: this.#rings.stderr.drain().toString('utf8') };
  }

  /** The buffered output, left in the buffers. */
  peek(): { stdout: string; stderr: string } {
    return { stdout: this.#rings.stdout.peek().toString('utf8'), stderr: this.#rings.stderr.peek().toString('utf8') };
  }

  /** @internal */
  get killedByUser(): boolean {
    return this.#killed;
  }
}

export async function startDetached(
  engine: EngineClient,
  containerId: string,
  spec: ExecSpec,
  run: DetachedRun,
  track: (handle: ExecHandle) => () => void,
): Promise<Process> {
  const rings = { stdout: new RingBuffer(run.bufferBytes), stderr: new RingBuffer(run.bufferBytes) };
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const callbacks = { stdout: run.onStdout, stderr: run.onStderr };
  let handle: ExecHandle | undefined;
  // Armed before the exec is created: `timeoutMs` counts from the call.
  const deadline = armDeadline(run.timeoutMs, undefined, () => void handle?.kill('KILL'));
  try {
    handle = await ExecHandle.start(engine, containerId, { ...spec, stdin: run.stdin !== undefined }, (frame) => {
      const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
      rings[stream].write(frame.data);
      if (callbacks[stream]) {
        const text = decoders[stream].write(frame.data);
        if (text.length > 0) safeCall(run.onCallbackError, callbacks[stream], text);
      }
    }, deadline.startBound());
  } catch (err) {
    deadline.disarm();
    if (!deadline.expired()) throw err;
    const res = neverStarted(deadline);
    safeCall(run.onCallbackError, run.onExit, res);
    return new Process(undefined, rings, Promise.resolve(res));
  }
  const h = handle;
  if (deadline.expired()) void h.kill('KILL'); // it fired as the start completed
  const untrack = track(h);
  if (run.stdin !== undefined) h.writeStdin(run.stdin);
  const result = (async (): Promise<ExecResult> => {
    await h.closed;
    deadline.disarm();
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest.length > 0) safeCall(run.onCallbackError, callbacks[stream], rest);
    }
    let exitCode: number;
    try {
      exitCode = await h.exitCode();
    } finally {
      h.destroy();
      untrack();
    }
    const timedOut = deadline.expired();
    const res: ExecResult = {
      exitCode: timedOut ? TIMEOUT_EXIT_CODE : exitCode,
      stdout: rings.stdout.peek().toString('utf8'),
      stderr: rings.stderr.peek().toString('utf8'),
      durationMs: (h.endedAt ?? performance.now()) - h.startedAt,
      timedOut,
      truncated: false,
      ok: exitCode === 0 && !timedOut,
    };
    safeCall(run.onCallbackError, run.onExit, res);
    return res;
  })();
  return new Process(h, rings, result);
}
