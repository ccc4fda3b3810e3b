import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { LogLine } from './live-events.js';

export interface LogFollowerOptions {
  engine: EngineClient;
  containerId: string;
  /** Lines kept for clients that join later (and the first answer). */
  historyLines: number;
  /** Lines asked from the engine when the stream opens. */
  tail: number;
  /** Called with lines in batches (at most one batch per `batchMs`). */
  onLines: (lines: LogLine[]) => void;
  batchMs: number;
}

const MAX_LINE_CHARS = 16 * 1024;

/**
 * One engine log stream (`follow`, timestamps, both streams) for one container, shared by every client following
 * it; lines are split, kept in a bounded history, and handed on in batches. The 8-byte frames of a non-TTY
 * container are decoded here (the header says the stream and the length); a TTY container's log is raw.
 */
export class LogFollower {
  readonly #o: LogFollowerOptions;
  readonly #history: LogLine[] = [];
  readonly #abort = new AbortController();
  #batch: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #body: Readable | undefined;
  #closed = false;

  constructor(options: LogFollowerOptions) {
    this.#o = options;
  }

  get history(): LogLine[] {
    return [...this.#history];
  }

  /** Opens the stream; resolves once the engine answered (rejects when it refused: no such container...). */
  async start(): Promise<void> {
    const { engine, containerId } = this.#o;
    const inspect = await engine.json<{ Config?: { Tty?: boolean } }>({ path: `/containers/${encodeURIComponent(containerId)}/json`, signal: this.#abort.signal });
    const res = await engine.request({
      path: `/containers/${encodeURIComponent(containerId)}/logs`,
      query: { follow: true, stdout: true, stderr: true, timestamps: true, tail: this.#o.tail },
      stream: true,
      signal: this.#abort.signal,
    });
    if (res.status !== 200) {
      res.body.resume();
      throw new Error(`the engine answered HTTP ${res.status} to the logs of ${containerId}`);
    }
    if (this.#closed) return void res.body.destroy();
    this.#body = res.body;
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const partial = { stdout: '', stderr: '' };
    const text = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
      const s = partial[stream] + decoders[stream].write(chunk);
      const parts = s.split('\n');
      partial[stream] = (parts.pop() ?? '').slice(-MAX_LINE_CHARS);
      for (const p of parts) this.#line(stream, p);
    };
    if (inspect.Config?.Tty === true) {
      res.body.on('data', (chunk: Buffer) => text('stdout', chunk));
    } else {
      let pending: Buffer = Buffer.alloc(0);
      res.body.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= 8) {
          const size = pending.readUInt32BE(4);
          if (pending.length < 8 + size) break;
          text(pending[0] === 2 ? 'stderr' : 'stdout', pending.subarray(8, 8 + size));
          pending = pending.subarray(8 + size);
        }
      });
    }
    res.body.on('error', () => undefined);
  }

  #line(stream: 'stdout' | 'stderr', raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const space = line.indexOf(' ');
    const hasTs = space > 0 && /^\d{4}-\d\d-\d\dT/.test(line);
    const entry: LogLine = { stream, ts: hasTs ? line.slice(0, space) : null, text: (hasTs ? line.slice(space + 1) : line).slice(0, MAX_LINE_CHARS) };
    this.#history.push(entry);
    if (this.#history.length > this.#o.historyLines) this.#history.shift();
    this.#batch.push(entry);
    this.#timer ??= setTimeout(() => this.#flush(), this.#o.batchMs);
  }

  /** Hands on the lines waiting for their batch now (before a new follower gets the history: no line twice). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#flush();
  }

  #flush(): void {
    this.#timer = undefined;
    const lines = this.#batch;
    this.#batch = [];
    if (lines.length > 0 && !this.#closed) this.#o.onLines(lines);
  }

  /** Ends the engine stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#body?.destroy();
  }
}
