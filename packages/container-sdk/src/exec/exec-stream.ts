import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { Frame } from '@pocketdock/stream-demux';
import { TIMEOUT_EXIT_CODE } from '../exec-types.js';
import type { ExecResult, OutputChunk } from '../exec-types.js';
import { armDeadline, neverStarted } from './deadline.js';
import { ExecHandle } from './exec-handle.js';
import type { ExecSpec } from './exec-handle.js';

export interface StreamRun {
  timeoutMs: number;
  maxOutputBytes: number;
  encoding: 'utf8' | 'buffer';
  stdin?: string | Buffer | Readable | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * A command whose output is read as it comes: `for await (const { stream, data } of execStream)`. Reading slowly
 * slows the command down (backpressure reaches the engine connection). Leaving the loop early kills the command
 * and its children. `result` resolves when the command has ended, with its exit code and flags; the output
 * itself went to the loop, so `result.stdout` and `result.stderr` are empty.
 *
 * @example
 * const s = await c.run('make all', { stream: true });
 * for await (const chunk of s) process.stdout.write(chunk.data);
 * const { exitCode } = await s.result;
 */
export class ExecStream<T extends string | Buffer = string> implements AsyncIterable<OutputChunk<T>> {
  /** Resolves when the command has ended; rejects if it could not start (e.g. `CONTAINER_NOT_RUNNING`). */
  readonly result: Promise<ExecResult>;
  readonly #readable: Readable;
  readonly #handle: Promise<ExecHandle | undefined>;

  /** @internal use `Container.run(cmd, { stream: true })` */
  constructor(started: Promise<{ handle: ExecHandle | undefined; result: Promise<ExecResult> }>, readable: Readable) {
    this.#readable = readable;
    this.#handle = started.then((s) => s.handle);
    this.result = started.then((s) => s.result);
    // Whoever only iterates sees a start failure there; nobody has to handle `result` too.
    this.result.catch(() => undefined);
    this.#handle.catch((err: Error) => readable.destroy(err));
    // The loop sees a failure (its iterator listens); nobody iterating must not make it an uncaught 'error' event.
    readable.on('error', () => undefined);
  }

  /** Iterate the output as it comes; `break` kills the command. */
  [Symbol.asyncIterator](): AsyncIterator<OutputChunk<T>> {
    return this.#readable[Symbol.asyncIterator]() as AsyncIterator<OutputChunk<T>>;
  }

  /** Kills the command and its children, and ends the stream. */
  async kill(): Promise<void> {
    const handle = await this.#handle.catch(() => undefined);
    await handle?.kill('KILL');
    this.#readable.destroy();
  }
}

/** Starts a streaming run; the ExecStream is returned at once and fills as the command runs. */
export function startStream<T extends string | Buffer>(
  engine: EngineClient,
  containerId: string,
  spec: ExecSpec,
  run: StreamRun,
  track: (handle: ExecHandle) => () => void,
): ExecStream<T> {
  let handle: ExecHandle | undefined;
  const readable = new Readable({
    objectMode: true,
    highWaterMark: 64,
    read() {
      handle?.socket.resume();
    },
  });
  const started = wire(engine, containerId, spec, run, track, readable, (h) => {
    handle = h;
  });
  return new ExecStream<T>(started, readable);
}

async function wire(
  engine: EngineClient,
  containerId: string,
  spec: ExecSpec,
  run: StreamRun,
  track: (handle: ExecHandle) => () => void,
  readable: Readable,
  setHandle: (h: ExecHandle) => void,
): Promise<{ handle: ExecHandle | undefined; result: Promise<ExecResult> }> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  let handle: ExecHandle | undefined;
  let bytes = 0;
  let truncated = false;
  let ended = false;
  let killRequested = false;
  let killing: Promise<void> | undefined;
  const kill = (): void => {
    killRequested = true;
    if (handle) killing ??= handle.kill('KILL');
  };
  const emit = (stream: 'stdout' | 'stderr', data: Buffer): void => {
    const chunk = run.encoding === 'buffer' ? data : decoders[stream].write(data);
    if (chunk.length === 0) return;
    if (!readable.push({ stream, data: chunk })) handle?.socket.pause();
  };
  const onFrame = (frame: Frame): void => {
    if (truncated || readable.destroyed) return;
    const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
    const room = run.maxOutputBytes - bytes;
    if (frame.data.length > room) {
      if (room > 0) emit(stream, frame.data.subarray(0, room));
      bytes = run.maxOutputBytes;
      truncated = true;
      kill();
      return;
    }
    bytes += frame.data.length;
    emit(stream, frame.data);
  };

  // Armed before the exec is created: the timeout counts from the call.
  const deadline = armDeadline(run.timeoutMs, run.signal, kill);
  let h: ExecHandle;
  try {
    h = await ExecHandle.start(engine, containerId, { ...spec, stdin: run.stdin !== undefined }, onFrame, deadline.startBound());
  } catch (err) {
    deadline.disarm();
    if (!deadline.expired()) throw err;
    // Timed out (or aborted) before it started: the stream ends empty, the result says timed out.
    if (!readable.destroyed) readable.push(null);
    return { handle: undefined, result: Promise.resolve(neverStarted(deadline)) };
  }
  handle = h;
  setHandle(h);
  if (killRequested || readable.destroyed) kill();
  const untrack = track(h);
  // Leaving the loop early (or destroying the stream) kills the command.
  readable.once('close', () => {
    if (!ended) kill();
  });
  if (run.stdin !== undefined) h.writeStdin(run.stdin);

  const result = (async (): Promise<ExecResult> => {
    try {
      await h.closed;
      ended = true;
      deadline.disarm();
      if (run.encoding === 'utf8' && !readable.destroyed) {
        for (const stream of ['stdout', 'stderr'] as const) {
          const rest = decoders[stream].end();
          if (rest.length > 0) readable.push({ stream, data: rest });
        }
      }
      await killing;
      // The end of the stream means the command ended: only once its exit code says so (a lost engine cuts the
      // stream like an exit; then the loop fails with the code instead of ending quietly).
      let exitCode: number;
      try {
        exitCode = await h.exitCode();
      } catch (err) {
        readable.destroy(err as Error);
        throw err;
      }
      if (!readable.destroyed) readable.push(null);
      const timedOut = deadline.expired();
      return {
        exitCode: timedOut ? TIMEOUT_EXIT_CODE : exitCode,
        stdout: '',
        stderr: '',
        durationMs: (h.endedAt ?? performance.now()) - h.startedAt,
        timedOut,
        truncated,
        ok: exitCode === 0 && !timedOut && !truncated,
      };
    } finally {
      deadline.disarm();
      h.destroy();
      untrack();
    }
  })();
  return { handle: h, result };
}
