import type { Readable } from 'node:stream';

/**
 * The `exitCode` of every result with `timedOut: true` (a run, a stream, a detached process, a session command, the
 * pool's fast path): 128 + SIGKILL, what the kill on timeout gives, also when the command never started or its shell
 * was closed instead.
 */
export const TIMEOUT_EXIT_CODE = 137;

/** What a finished command gives back. */
export interface ExecResult {
  /**
   * The process's exit code (128 + n when killed by signal n; -1 if the engine never reported one);
   * {@link TIMEOUT_EXIT_CODE} (137) whenever `timedOut` is true.
   */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Wall time from start to exit, in milliseconds. */
  durationMs: number;
  /**
   * The command ran past its `timeoutMs` (counted from the call: creating the exec is part of it) or its `signal`
   * fired, and was killed (with its children); the output is what came before. `exitCode` is then 137.
   */
  timedOut: boolean;
  /** The output reached `maxOutputBytes`: it was cut exactly there and the process was killed. */
  truncated: boolean;
  /** `exitCode === 0 && !timedOut && !truncated`. */
  ok: boolean;
}

/** One piece of output from a streaming or detached command. */
export interface OutputChunk<T extends string | Buffer = string> {
  stream: 'stdout' | 'stderr';
  data: T;
}

/** Options of `Container.run()`. */
export interface RunOptions {
  /** Kill the command (and its children) after this long; default: the container's `timeoutMs` (30 s). */
  timeoutMs?: number;
  /** Cap on stdout + stderr together; default 10 MiB. Past it the output is cut exactly and the process killed. */
  maxOutputBytes?: number;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  /** Piped to the command's stdin, then closed (EOF). */
  stdin?: string | Buffer | Readable;
  /** Aborting kills the command; a blocking run then resolves like a timeout, a stream ends. */
  signal?: AbortSignal;
  /** Return an {@link ExecStream} instead of waiting. */
  stream?: boolean;
  /** Return a detached {@link Process} instead of waiting. */
  detach?: boolean;
  /** Streaming and detached output as `'utf8'` strings (default) or `'buffer'`. */
  encoding?: 'utf8' | 'buffer';
  /** Detached processes: ring-buffer size per stream; default 1 MiB. */
  bufferBytes?: number;
  /** Detached processes only: called with each piece of stdout as it arrives. */
  onStdout?: (data: string) => void;
  /** Detached processes only: called with each piece of stderr as it arrives. */
  onStderr?: (data: string) => void;
  /** Detached processes only: called once with the result when the process ends. */
  onExit?: (result: ExecResult) => void;
}
