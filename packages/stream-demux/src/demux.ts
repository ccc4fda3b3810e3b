import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { DemuxError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import type { Frame, StreamMode } from './frame.js';

/** Where demultiplexed bytes go. `stdout` and `stderr` may be the same stream. */
export interface DemuxSinks {
  stdout: Writable;
  stderr: Writable;
}

export interface DemuxOptions {
  /** `'multiplexed'` (default) for non-TTY streams; `'raw'` (TTY): bytes pass through to `stdout` unchanged. */
  mode?: StreamMode;
  /** Aborting destroys the source (and the sinks, when `end` is true) and rejects with `DEMUX_ABORTED`. */
  signal?: AbortSignal;
  /** Passed to the FrameDecoder. Default 16 MiB. */
  maxFrameBytes?: number;
  /**
   * When true (default), demux owns the sinks: it ends them when the source ends and destroys them on failure.
   * Pass false for sinks that must stay open, such as `process.stdout`.
   */
  end?: boolean;
}

/**
 * Reads an attach/exec stream and writes each frame's payload to `sinks.stdout` or `sinks.stderr`, waiting for
 * `'drain'` on whichever sink is full (one slow sink slows the source, it is never buffered without bound).
 *
 * Frames of type 0 (stdin) go to `stdout`, as Docker's own stdcopy does; engines do not send them on output
 * streams. Zero-length frames write nothing.
 *
 * Resolves when the source has ended and, with `end: true`, both sinks have finished. Rejects with a
 * {@link DemuxError} (`DEMUX_BAD_HEADER`, `DEMUX_TRUNCATED`, `DEMUX_FRAME_TOO_LARGE`, `DEMUX_ABORTED`,
 * `DEMUX_SINK_CLOSED`) or the source's or a sink's own error; the source is destroyed either way.
 *
 * @example
 * await demux(execStream, { stdout: createWriteStream('out.log'), stderr: createWriteStream('err.log') });
 */
export async function demux(
  source: Readable | AsyncIterable<Buffer | Uint8Array>,
  sinks: DemuxSinks,
  options: DemuxOptions = {},
): Promise<void> {
  const { mode = 'multiplexed', signal, maxFrameBytes, end = true } = options;
  if (mode !== 'multiplexed' && mode !== 'raw') {
    throw new DemuxError('DEMUX_INVALID_OPTIONS', `mode must be 'multiplexed' or 'raw', got ${String(mode)}`);
  }
  const { stdout, stderr } = sinks;
  const owned = [...new Set([stdout, stderr])];
  const parser = new FrameParser(maxFrameBytes);
  // Sinks that said "full" while the current chunk was written out: the next chunk waits for all of them.
  const full = new Set<Writable>();
  const route = (frame: Frame): void => {
    if (frame.data.length === 0) return;
    const sink = frame.stream === 'stderr' ? stderr : stdout;
    if (!sink.write(frame.data)) full.add(sink);
  };

  // One Writable drives the parser directly: no intermediate object stream, and backpressure at chunk granularity
  // (a chunk's frames are views of it, already in memory; the next chunk is not taken until every sink drained).
  const router = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        for (const sink of owned) if (sink.destroyed || sink.writableEnded) throw sinkClosed();
        if (mode === 'raw') route({ stream: 'stdout', data: chunk });
        else parser.push(chunk, route);
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (full.size === 0) callback();
      else waitForDrain([...full], callback);
      full.clear();
    },
    final(callback) {
      try {
        if (mode === 'multiplexed') parser.end();
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (!end) return callback();
      for (const sink of owned) sink.end();
      Promise.all(owned.map((sink) => finished(sink, { readable: false }))).then(() => callback(), callback);
    },
  });
  const onSinkError = (err: Error): void => {
    router.destroy(err);
  };
  for (const sink of owned) sink.on('error', onSinkError);

  try {
    await pipeline(source, router, signal ? { signal } : {});
  } catch (err) {
    if (end) for (const sink of owned) sink.destroy();
    if (signal?.aborted && !DemuxError.is(err)) {
      throw new DemuxError('DEMUX_ABORTED', 'demux aborted', { cause: signal.reason ?? err });
    }
    throw err;
  } finally {
    for (const sink of owned) sink.off('error', onSinkError);
  }
}

function sinkClosed(): DemuxError {
  return new DemuxError('DEMUX_SINK_CLOSED', 'a sink was closed while the stream still had output for it');
}

/** Calls back once every sink has drained, or with DEMUX_SINK_CLOSED when one closes first. */
function waitForDrain(sinks: Writable[], callback: (err?: Error) => void): void {
  let waiting = sinks.length;
  const cleanups: Array<() => void> = [];
  const done = (err?: Error): void => {
    for (const cleanup of cleanups) cleanup();
    callback(err);
  };
  for (const sink of sinks) {
    const onDrain = (): void => {
      if (--waiting === 0) done();
    };
    const onClose = (): void => done(new DemuxError('DEMUX_SINK_CLOSED', 'a sink closed while demux waited for it to drain'));
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    cleanups.push(() => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
    });
  }
}
