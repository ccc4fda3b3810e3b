import { Readable } from 'node:stream';
import { ContainerError } from '../errors.js';
import { ExecHandle } from '../exec/exec-handle.js';
import { lazySchema } from '../lazy-schema.js';
import { parseOptions } from '../options.js';
import { ATTACH_SCRIPT } from './scripts.js';
import { checkId, lost, notFound } from './supervised.js';
import type { ProcessHost } from './supervised.js';

/** A piece of a supervised process's output, at its offset in the whole output. */
export interface ProcessOutputChunk {
  /** Offset of `data[0]` in everything the process wrote; a jump from the previous chunk's end: bytes were dropped. */
  offset: number;
  data: Buffer;
}

/** Options of `Container.attach()`. */
export interface AttachOptions {
  /** Replay from this byte offset (default 0: everything still kept); older than the oldest kept byte: from that. */
  offset?: number;
  /** Follow new output until the process ends (default true); false: what is kept now, then end. */
  follow?: boolean;
}

const attachOptionsSchema = lazySchema((z) =>
  z.strictObject({ offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), follow: z.boolean().default(true) }),
);

/**
 * Output of a supervised process, read by any client: replays from an offset, then follows (polled inside the
 * container every 50 ms). Iterate it; `break` (or `close()`) ends the reader in the container. `result` resolves
 * with the exit status once the process ended and all its output was read (`exitCode` undefined when not following
 * and still running); it rejects with `PROCESS_LOST` when the process ended without a status.
 *
 * @example
 * const a = await c.attach(id, { offset: 0 });
 * for await (const { data } of a) process.stdout.write(data);
 * const { exitCode } = await a.result;
 */
export class ProcessAttachment implements AsyncIterable<ProcessOutputChunk>, AsyncDisposable {
  readonly result: Promise<{ exitCode: number | undefined }>;
  readonly #readable: Readable;
  readonly #handle: ExecHandle;

  private constructor(handle: ExecHandle, readable: Readable, result: Promise<{ exitCode: number | undefined }>) {
    this.#handle = handle;
    this.#readable = readable;
    this.result = result;
  }

  /** @internal use `Container.attach()` */
  static async open(host: ProcessHost, id: string, options: AttachOptions): Promise<ProcessAttachment> {
    checkId(id);
    const opts = parseOptions(attachOptionsSchema, options, 'attach');
    let handle: ExecHandle | undefined;
    const readable = new Readable({ objectMode: true, highWaterMark: 16, read: () => handle?.socket.resume() });
    readable.on('error', () => undefined); // the loop sees it through its iterator; a failed attach() rejects instead
    let settle!: { resolve: (v: { exitCode: number | undefined }) => void; reject: (e: unknown) => void };
    const result = new Promise<{ exitCode: number | undefined }>((resolve, reject) => (settle = { resolve, reject }));
    let started!: { resolve: () => void; reject: (e: unknown) => void };
    const ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
    // Either may settle before anyone awaits it (the reader can answer before the start call returns).
    ready.catch(() => undefined);
    result.catch(() => undefined);
    let pending: Buffer = Buffer.alloc(0);
    let remaining = 0;
    let offset = 0;
    let ended = false;
    const finish = (err: unknown, exitCode?: number): void => {
      if (ended) return;
      ended = true;
      if (!err) started.resolve();
      if (err) {
        started.reject(err);
        settle.reject(err);
        readable.destroy(err as Error);
      } else {
        settle.resolve({ exitCode });
        readable.push(null);
      }
    };
    const parse = (): void => {
      while (pending.length > 0 && !ended) {
        if (remaining > 0) {
          const n = Math.min(remaining, pending.length);
          if (!readable.push({ offset, data: pending.subarray(0, n) })) handle?.socket.pause();
          offset += n;
          remaining -= n;
          pending = pending.subarray(n);
          continue;
        }
        const nl = pending.indexOf(10);
        if (nl < 0) return;
        const line = pending.subarray(0, nl).toString('latin1');
        pending = pending.subarray(nl + 1);
        const m = /^D (\d+) (\d+)$/.exec(line);
        if (m) {
          started.resolve();
          offset = Number(m[1]);
          remaining = Number(m[2]);
        } else if (line === 'S') started.resolve();
        else if (line === 'H') continue;
        else if (line.startsWith('E ')) finish(undefined, Number(line.slice(2)));
        else if (line === 'P') finish(undefined, undefined);
        else if (line === 'N') finish(notFound(id));
        else if (line === 'L') finish(lost(id));
        else finish(new ContainerError('CONTAINER_ENGINE_ERROR', `attach ${id}: unexpected reader output ${JSON.stringify(line.slice(0, 60))}`));
      }
    };
    const spec = { argv: ['sh', '-c', ATTACH_SCRIPT, 'pocketdock-attach', id, String(opts.offset), opts.follow ? '1' : '0'], env: {}, user: '0', stdin: true };
    handle = await ExecHandle.start(host.engine, host.containerId(), spec, (frame) => {
      if (frame.stream !== 'stdout') return;
      pending = pending.length ? Buffer.concat([pending, frame.data]) : frame.data;
      parse();
    });
    const untrack = host.track(handle);
    const h = handle;
    void h.closed.then(() => {
      untrack();
      finish(h.streamError ?? new ContainerError('CONTAINER_ENGINE_ERROR', `attach ${id}: the reader ended without a status (the container stopped, or the engine went away)`));
    });
    // Leaving a loop early destroys the readable: end the reader in the container too.
    readable.once('close', () => {
      if (ended) return;
      ended = true;
      settle.resolve({ exitCode: undefined });
      // Dropping the connection is enough, no kill exec: the engine then closes the reader's stdin, and the reader
      // ends within a poll (ATTACH_SCRIPT). Its heartbeat alone would not do: the engines keep its output open.
      h.destroy();
    });
    try {
      await ready;
    } catch (err) {
      h.destroy();
      throw err;
    }
    return new ProcessAttachment(h, readable, result);
  }

  [Symbol.asyncIterator](): AsyncIterator<ProcessOutputChunk> {
    return this.#readable[Symbol.asyncIterator]() as AsyncIterator<ProcessOutputChunk>;
  }

  /** All the output from here on, read to the end, as one Buffer (with the exit status). */
  async readAll(): Promise<{ data: Buffer; exitCode: number | undefined }> {
    const parts: Buffer[] = [];
    for await (const chunk of this) parts.push(chunk.data);
    return { data: Buffer.concat(parts), exitCode: (await this.result).exitCode };
  }

  /** Stops reading (the process runs on); idempotent. */
  async close(): Promise<void> {
    this.#readable.destroy();
    await this.#handle.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
