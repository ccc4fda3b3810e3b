import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { EngineError } from '../errors.js';

const NEWLINE = 0x0a;

/**
 * Bytes in, one parsed JSON value out per line. Frames by newline only, never by chunk: a chunk may hold several
 * lines or part of one. Blank lines, a trailing `\r` and bare `null` lines are skipped. A line longer than `maxLineBytes` fails
 * with `ENGINE_RESPONSE_TOO_LARGE`; a line that is not JSON, with `ENGINE_BAD_RESPONSE`.
 */
export class JsonLineSplitter extends Transform {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly what: string,
  ) {
    super({ readableObjectMode: true, readableHighWaterMark: 16 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    try {
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (this.#pendingBytes === 0) {
          this.#emit(piece);
        } else {
          this.#append(piece);
          this.#emit(Buffer.concat(this.#pending, this.#pendingBytes));
          this.#pending = [];
          this.#pendingBytes = 0;
        }
      }
      if (start < chunk.length) this.#append(chunk.subarray(start));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.#pendingBytes > 0) this.#emit(Buffer.concat(this.#pending, this.#pendingBytes));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  #append(piece: Buffer): void {
    this.#pendingBytes += piece.length;
    if (this.#pendingBytes > this.maxLineBytes) {
      throw new EngineError('ENGINE_RESPONSE_TOO_LARGE', `${this.what}: a line is longer than ${this.maxLineBytes} bytes (maxJsonBytes)`);
    }
    this.#pending.push(piece);
  }

  #emit(line: Buffer): void {
    if (line.length > this.maxLineBytes) {
      throw new EngineError('ENGINE_RESPONSE_TOO_LARGE', `${this.what}: a line is longer than ${this.maxLineBytes} bytes (maxJsonBytes)`);
    }
    const text = line.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new EngineError('ENGINE_BAD_RESPONSE', `${this.what}: a line is not JSON: ${text.slice(0, 200)}`, { cause: err });
    }
    // An object stream cannot carry null (it means end of stream); engines never send a bare null line.
    if (value !== null) this.push(value);
  }
}
