import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { TIMEOUT_EXIT_CODE } from '../exec-types.js';
import type { ExecResult } from '../exec-types.js';
import { armDeadline, neverStarted } from './deadline.js';
import { ExecHandle } from './exec-handle.js';
import type { ExecSpec } from './exec-handle.js';
import { OutputCollector } from './output-collector.js';

export interface BlockingRun {
  timeoutMs: number;
  maxOutputBytes: number;
  stdin?: string | Buffer | Readable | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Runs a command to its end and gathers its output. On timeout, abort or output overflow the command and its
 * children are killed inside the container, and what was gathered so far is returned with the matching flag. The
 * timeout counts from the call: a run whose exec could not even be created in time resolves timed out, with no output.
 */
export async function runBlocking(
  engine: EngineClient,
  containerId: string,
  spec: ExecSpec,
  run: BlockingRun,
  track: (handle: ExecHandle) => () => void,
): Promise<ExecResult> {
  const output = new OutputCollector(run.maxOutputBytes);
  let handle: ExecHandle | undefined;
  let killing: Promise<void> | undefined;
  let killRequested = false;
  const kill = (): void => {
    killRequested = true;
    if (handle) killing ??= handle.kill('KILL');
  };
  const deadline = armDeadline(run.timeoutMs, run.signal, kill);
  let handleRef: ExecHandle;
  try {
    handleRef = await ExecHandle.start(engine, containerId, { ...spec, stdin: run.stdin !== undefined }, (frame) => {
      if (!output.add(frame)) kill();
    }, deadline.startBound());
  } catch (err) {
    deadline.disarm();
    if (deadline.expired()) return neverStarted(deadline);
    throw err;
  }
  handle = handleRef;
  if (killRequested) kill(); // output past the limit arrived with the first bytes, or the deadline fired meanwhile
  const untrack = track(handleRef);
  try {
    if (run.stdin !== undefined) handleRef.writeStdin(run.stdin);
    await handleRef.closed;
    deadline.disarm();
    await killing;
    const timedOut = deadline.expired();
    const reported = await handleRef.exitCode(); // asked even so: it rejects when the engine went away meanwhile
    const exitCode = timedOut ? TIMEOUT_EXIT_CODE : reported;
    return {
      exitCode,
      stdout: output.text('stdout'),
      stderr: output.text('stderr'),
      durationMs: (handleRef.endedAt ?? performance.now()) - handleRef.startedAt,
      timedOut,
      truncated: output.truncated,
      ok: exitCode === 0 && !timedOut && !output.truncated,
    };
  } finally {
    deadline.disarm();
    handleRef.destroy();
    untrack();
  }
}
