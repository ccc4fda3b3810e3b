import { resumeContainer, stopContainer } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FlowManagerError } from './errors.js';
import type { FlowCode } from './flow-code.js';
import type { FlowRecord } from './records.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import { toFlowError } from './to-flow-error.js';

/** What an update needs from the manager. */
export interface UpdateContext {
  engine: EngineClient;
  sockets: SocketCommunicationHandler;
  code: FlowCode;
  stopTimeoutMs: number;
  /** How long the new code's flow has to connect. */
  updateTimeoutMs: number;
  /** Calls `fn` for each `die` event of the container (by engine time) until the returned function is called. */
  onDie(id: string, fn: (timeMs: number, exitCode: number | undefined) => void): () => void;
}

/**
 * Replaces a flow's code atomically: `source` is staged in the service's own directory, swapped in while the
 * container is stopped, and the container started on it. If its flow does not connect within `updateTimeoutMs`
 * (or the container exits first), the previous code is swapped back, the container started on it, and the answer
 * is `FM_UPDATE_FAILED` with the reason. Runs inside the record's `update` operation window.
 */
export async function updateFlow(ctx: UpdateContext, r: FlowRecord, source: string): Promise<void> {
  await ctx.code.stage(r.key, source); // a copy that fails changes nothing
  await stopContainer(r.id, { engine: ctx.engine, timeoutMs: ctx.stopTimeoutMs });
  await ctx.code.swapIn(r.key);
  let problem: { reason: string; exitCode: number | undefined } | undefined;
  try {
    problem = await startAndAwaitFlow(ctx, r);
  } catch (err) {
    problem = { reason: `the container did not start: ${toFlowError(err, 'start').message}`, exitCode: undefined };
  }
  if (problem === undefined) {
    await ctx.code.commit(r.key);
    return;
  }
  let restored = true;
  try {
    await stopContainer(r.id, { engine: ctx.engine, timeoutMs: ctx.stopTimeoutMs });
    await ctx.code.rollback(r.key);
    r.handle = await resumeContainer(r.id, { engine: ctx.engine });
  } catch (err) {
    restored = false;
    problem.reason += `; restoring the previous code failed too: ${toFlowError(err, 'rollback').message}`;
  }
  throw new FlowManagerError(
    'FM_UPDATE_FAILED',
    `update_container: ${problem.reason}; ${restored ? 'the previous code was restored and the flow restarted on it' : 'the flow is left stopped'}`,
    { details: { container_id: r.id, reason: problem.reason, exit_code: problem.exitCode ?? null, rolled_back: restored } },
  );
}

/** Starts the container and waits for a new flow connection; undefined when one came, else why not. */
async function startAndAwaitFlow(ctx: UpdateContext, r: FlowRecord): Promise<{ reason: string; exitCode: number | undefined } | undefined> {
  const seen = ctx.sockets.connectionCount(r.id);
  const startedMs = Date.now();
  const abort = new AbortController();
  let exited: { exitCode: number | undefined } | undefined;
  // The stop's own `die` may arrive late (Podman): only a die after this start counts.
  const unwatch = ctx.onDie(r.id, (timeMs, exitCode) => {
    if (timeMs < startedMs) return;
    exited = { exitCode };
    abort.abort();
  });
  try {
    r.handle = await resumeContainer(r.id, { engine: ctx.engine });
    if (await ctx.sockets.awaitConnection(r.id, seen, ctx.updateTimeoutMs, abort.signal)) return undefined;
  } finally {
    unwatch();
    abort.abort();
  }
  if (exited) return { reason: `the new code exited (code ${exited.exitCode ?? 'unknown'}) before its flow connected`, exitCode: exited.exitCode };
  return { reason: `the new code's flow did not connect within ${ctx.updateTimeoutMs} ms`, exitCode: undefined };
}
