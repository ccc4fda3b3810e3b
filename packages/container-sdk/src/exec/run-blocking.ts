import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { ExecResult } from '../exec-types.js';
import { armDeadline } from './deadline.js';
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
 * children are killed inside the container, and what was gathered so far is returned with the matching flag.
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
  const handleRef = await ExecHandle.start(engine, containerId, { ...spec, stdin: run.stdin !== undefined }, (frame) => {
    if (!output.add(frame)) kill();
  });
  handle = handleRef;
  if (killRequested) kill(); // output past the limit arrived with the first bytes
  const untrack = track(handleRef);
  const deadline = armDeadline(run.timeoutMs, run.signal, kill);
  try {
    if (run.stdin !== undefined) handleRef.writeStdin(run.stdin);
    await handleRef.closed;
    deadline.disarm();
    await killing;
    const timedOut = deadline.expired();
    const exitCode = await handleRef.exitCode();
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
