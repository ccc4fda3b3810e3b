import { randomBytes } from 'node:crypto';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import type { ExecResult } from '../exec-types.js';
import { execSpec } from '../exec/command.js';
import type { Command } from '../exec/command.js';
import type { ExecHandle } from '../exec/exec-handle.js';
import { signalName } from '../exec/kill-script.js';
import { runBlocking } from '../exec/run-blocking.js';
import { lazySchema } from '../lazy-schema.js';
import { MAX_TIMEOUT_MS, parseOptions, waitOptionsSchema } from '../options.js';
import { KILL_SCRIPT, LIST_SCRIPT, REMOVE_SCRIPT, SPAWN_SCRIPT, SUPERVISOR_SCRIPT, WAIT_SCRIPT } from './scripts.js';

/** How the supervised-process functions reach their container. */
export interface ProcessHost {
  engine: EngineClient;
  containerId: () => string;
  track: (handle: ExecHandle) => () => void;
  timeoutMs: number;
  defaults: { env: Record<string, string>; workdir?: string | undefined; user?: string | undefined };
}

/** A supervised process, as `processes()` reports it. */
export interface ProcessInfo {
  /** 16 hex digits: what `attach`, `killProcess`, `waitProcess` and `removeProcess` take. */
  id: string;
  /** The command as it was given to `spawn`. */
  command: Command;
  /** `lost`: neither running nor ended with a status (its supervisor was killed, or the container restarted). */
  state: 'running' | 'exited' | 'lost';
  /** Once `exited`: the exit status (128 + n when killed by signal n). */
  exitCode: number | undefined;
  /** Its pid inside the container (a process group leader: `killProcess` signals the group). */
  pid: number | undefined;
  startedAt: Date;
  /** Bytes of output written so far (stdout and stderr together). */
  outputBytes: number;
  /** Offset of the oldest byte still kept (0 until output past `maxOutputBytes` dropped older bytes). */
  firstOffset: number;
}

/** The output bound of a supervised process: default 1 MiB, 1 KiB to 16 MiB (the tmpfs is 64 MB by default). */
export const DEFAULT_PROCESS_OUTPUT_BYTES = 1024 * 1024;
export const MAX_PROCESS_OUTPUT_BYTES = 16 * 1024 * 1024;

export const spawnOptionsSchema = lazySchema((z) => {
  const text = z.string().refine((s) => !s.includes('\0'), { message: 'must not contain a NUL byte' });
  return z.strictObject({
    maxOutputBytes: z.number().int().min(1024).max(MAX_PROCESS_OUTPUT_BYTES).default(DEFAULT_PROCESS_OUTPUT_BYTES),
    env: z.record(text, text).default({}),
    workdir: text.optional(),
    user: text.optional(),
  });
});

/** Options of `Container.spawn()`. */
export interface SpawnOptions {
  /** Output kept per process (stdout and stderr interleaved); default 1 MiB. Past it the oldest output goes. */
  maxOutputBytes?: number;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
}

const ID = /^[0-9a-f]{16}$/;

/** `PROCESS_NOT_FOUND` for anything that is not a well-formed id (it also goes into a shell script as an argument). */
export function checkId(id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new ContainerError('PROCESS_NOT_FOUND', `no supervised process ${JSON.stringify(String(id)).slice(0, 40)}: ids are 16 hex digits, from spawn() or processes()`);
  }
  return id;
}

export const notFound = (id: string): ContainerError => new ContainerError('PROCESS_NOT_FOUND', `no supervised process ${id} in this container (see processes())`);
export const lost = (id: string): ContainerError =>
  new ContainerError('PROCESS_LOST', `supervised process ${id} ended without an exit status (its supervisor is gone: killed, or the container restarted)`);

/** Runs one of the scripts as a short command and returns its stdout (a non-zero exit: CONTAINER_ENGINE_ERROR). */
async function script(host: ProcessHost, body: string, args: string[], what: string, timeoutMs = host.timeoutMs, user?: string): Promise<string> {
  const spec = { argv: ['sh', '-c', body, 'pocketdock-proc', ...args], env: {}, user: user ?? host.defaults.user };
  const r: ExecResult = await runBlocking(host.engine, host.containerId(), spec, { timeoutMs, maxOutputBytes: 4 * 1024 * 1024 }, host.track);
  if (r.timedOut) throw new ContainerError('CONTAINER_WAIT_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`);
  if (r.exitCode !== 0) throw new ContainerError('CONTAINER_ENGINE_ERROR', `${what}: the helper script failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 200)}`);
  return r.stdout;
}

export async function spawnProcess(host: ProcessHost, cmd: Command, options: SpawnOptions): Promise<ProcessInfo> {
  const opts = parseOptions(spawnOptionsSchema, options, 'spawn');
  const spec = execSpec(cmd, opts, host.defaults);
  const id = randomBytes(8).toString('hex');
  const args = [SUPERVISOR_SCRIPT, id, String(opts.maxOutputBytes), JSON.stringify(cmd), ...spec.argv];
  const r = await runBlocking(
    host.engine,
    host.containerId(),
    { ...spec, argv: ['sh', '-c', SPAWN_SCRIPT, 'pocketdock-spawn', ...args] },
    { timeoutMs: host.timeoutMs, maxOutputBytes: 4096 },
    host.track,
  );
  if (r.timedOut || r.exitCode !== 0) {
    throw new ContainerError('CONTAINER_ENGINE_ERROR', `spawn: the supervisor did not start (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim().slice(0, 200)}`);
  }
  return processInfo(host, id);
}

export async function listProcesses(host: ProcessHost): Promise<ProcessInfo[]> {
  const out = await script(host, LIST_SCRIPT, [''], 'processes', host.timeoutMs, '0');
  return out.split('\n').filter(Boolean).map(parseLine).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

export async function processInfo(host: ProcessHost, id: string): Promise<ProcessInfo> {
  const out = await script(host, LIST_SCRIPT, [checkId(id)], 'process info', host.timeoutMs, '0');
  if (!out.trim()) throw notFound(id);
  return parseLine(out.trim());
}

export async function killProcess(host: ProcessHost, id: string, signal = 'KILL'): Promise<void> {
  checkId(id);
  let name: string;
  try {
    name = signalName(signal);
  } catch (err) {
    throw new ContainerError('CONTAINER_INVALID_OPTIONS', `killProcess: ${(err as Error).message}`);
  }
  const out = await script(host, KILL_SCRIPT, [id, name], `kill process ${id}`, host.timeoutMs, '0');
  if (out.trim() === 'N') throw notFound(id);
}

/**
 * Waits for a supervised process to end: its exit status. `timeoutMs`: `CONTAINER_WAIT_TIMEOUT` after it (the
 * process runs on). Polled inside the container every 100 ms.
 */
export async function waitProcess(host: ProcessHost, id: string, options: { timeoutMs?: number } = {}): Promise<{ exitCode: number }> {
  checkId(id);
  const { timeoutMs } = parseOptions(waitOptionsSchema, options, 'waitProcess');
  const tenths = timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(timeoutMs / 100));
  const limit = timeoutMs === undefined ? MAX_TIMEOUT_MS : Math.min(MAX_TIMEOUT_MS, timeoutMs + 30_000);
  const out = (await script(host, WAIT_SCRIPT, [id, String(tenths)], `wait for process ${id}`, limit, '0')).trim();
  if (out === 'N') throw notFound(id);
  if (out === 'L') throw lost(id);
  if (out === 'T') throw new ContainerError('CONTAINER_WAIT_TIMEOUT', `process ${id} still running after ${timeoutMs ?? 0} ms`);
  return { exitCode: Number(out.slice(2)) };
}

/** Forgets an ended (or lost) process: its output and status go. Still running: `PROCESS_RUNNING`. */
export async function removeProcess(host: ProcessHost, id: string): Promise<void> {
  checkId(id);
  const out = (await script(host, REMOVE_SCRIPT, [id], `remove process ${id}`, host.timeoutMs, '0')).trim();
  if (out === 'N') throw notFound(id);
  if (out === 'R') throw new ContainerError('PROCESS_RUNNING', `process ${id} still runs: killProcess() it first`);
}

function parseLine(line: string): ProcessInfo {
  const [id = '', state, exit, pid, start, end, first, ...rest] = line.split(' ');
  let command: Command;
  try {
    command = JSON.parse(rest.join(' ')) as Command;
  } catch {
    command = rest.join(' ');
  }
  const num = (s: string | undefined): number | undefined => (s === undefined || !/^\d+$/.test(s) ? undefined : Number(s));
  return {
    id,
    command,
    state: state === 'exited' || state === 'running' ? state : 'lost',
    exitCode: num(exit),
    pid: num(pid),
    startedAt: new Date((num(start) ?? 0) * 1000),
    outputBytes: num(end) ?? 0,
    firstOffset: num(first) ?? 0,
  };
}
