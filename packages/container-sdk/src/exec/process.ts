import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import type { ExecResult } from '../exec-types.js';
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
  readonly #handle: ExecHandle;
  readonly #rings: { stdout: RingBuffer; stderr: RingBuffer };
  readonly #result: Promise<ExecResult>;
  #killed = false;

  /** @internal use `Container.run(cmd, { detach: true })` */
  constructor(handle: ExecHandle, rings: { stdout: RingBuffer; stderr: RingBuffer }, result: Promise<ExecResult>) {
    this.#handle = handle;
    this.#rings = rings;
    this.#result = result;
    result.catch(() => undefined); // it rejects only when the engine went away; wait() reports that to who asks
  }

  /** The engine's exec id. */
  get id(): string {
    return this.#handle.execId;
  }

  isRunning(): boolean {
    return this.#handle.running;
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
    await this.#handle.kill(signal);
  }

  /**
   * Waits for the command to end: its result carries the real duration and the output still buffered (not
   * drained). Rejects with `CONTAINER_WAIT_TIMEOUT` after `timeoutMs`; the process keeps running then. Rejects
   * with `CONTAINER_ENGINE_ERROR` when the output ended because the engine went away (the outcome is unknown).
   */
  async wait(options: { timeoutMs?: number } = {}): Promise<ExecResult> {
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
  const handle = await ExecHandle.start(engine, containerId, { ...spec, stdin: run.stdin !== undefined }, (frame) => {
    const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
    rings[stream].write(frame.data);
    if (callbacks[stream]) {
      const text = decoders[stream].write(frame.data);
      if (text.length > 0) safeCall(run.onCallbackError, callbacks[stream], text);
    }
  });
  const untrack = track(handle);
  let timedOut = false;
  const timer =
    run.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void handle.kill('KILL');
        }, run.timeoutMs);
  if (run.stdin !== undefined) handle.writeStdin(run.stdin);
  const result = (async (): Promise<ExecResult> => {
    await handle.closed;
    clearTimeout(timer);
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest.length > 0) safeCall(run.onCallbackError, callbacks[stream], rest);
    }
    let exitCode: number;
    try {
      exitCode = await handle.exitCode();
    } finally {
      handle.destroy();
      untrack();
    }
    const res: ExecResult = {
      exitCode,
      stdout: rings.stdout.peek().toString('utf8'),
      stderr: rings.stderr.peek().toString('utf8'),
      durationMs: (handle.endedAt ?? performance.now()) - handle.startedAt,
      timedOut,
      truncated: false,
      ok: exitCode === 0 && !timedOut,
    };
    safeCall(run.onCallbackError, run.onExit, res);
    return res;
  })();
  return new Process(handle, rings, result);
}
