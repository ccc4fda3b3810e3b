import { randomBytes } from 'node:crypto';
import type { Duplex, Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FrameParser } from '@pocketdock/stream-demux';
import type { Frame } from '@pocketdock/stream-demux';
import { USER_NOT_FOUND, containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import type { StartBound } from './deadline.js';
import { EXEC_TAG_VAR, killScript, signalName } from './kill-script.js';

export interface ExecSpec {
  argv: string[];
  env?: Record<string, string>;
  workdir?: string | undefined;
  user?: string | undefined;
  /** Attach stdin (the caller writes it, then ends the handle's input). */
  stdin?: boolean;
}

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
  /** 0 when no process was ever started (Docker: the runtime failed before it, e.g. an unknown user). */
  Pid?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One command running in a container: an exec created with a fresh tag, started over its own hijacked
 * connection, its output parsed from the 8-byte frames as it arrives. The building block of `run()` in all its
 * forms and of sessions.
 */
export class ExecHandle {
  /** Resolves when the output stream has ended (the process exited, or the connection dropped). Never rejects. */
  readonly closed: Promise<void>;
  readonly startedAt = performance.now();
  endedAt: number | undefined;
  /** Why the stream ended other than cleanly, if it did. */
  streamError: Error | undefined;
  /** Docker's runtime message for a missing `user`, held back from the output until the exit code says what it was. */
  #held: Frame | undefined;

  private constructor(
    private readonly engine: EngineClient,
    private readonly containerId: string,
    readonly execId: string,
    readonly tag: string,
    readonly socket: Duplex,
    private readonly onFrame: (frame: Frame) => void,
    withUser: boolean,
  ) {
    const parser = new FrameParser();
    // Only Docker: Podman refuses such a start outright (and reports Pid 0 for every exec that has ended).
    let first = withUser && engine.engine === 'docker';
    const deliver = (frame: Frame): void => {
      if (this.#held) {
        const held = this.#held;
        this.#held = undefined;
        onFrame(held);
      }
      if (first) {
        first = false;
        // Docker starts the exec, then its runtime prints this as the only output and exits 126 (Podman refuses the
        // start instead). A command could print it too: whether it was the runtime is decided by the exit code.
        if (USER_NOT_FOUND.test(frame.data.toString('latin1'))) {
          this.#held = frame;
          return;
        }
      }
      onFrame(frame);
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk, deliver);
      } catch (err) {
        this.streamError = err as Error;
        socket.destroy();
      }
    });
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.endedAt ??= performance.now();
        resolve();
      };
      socket.once('end', () => {
        try {
          parser.end();
        } catch (err) {
          this.streamError ??= err as Error;
        }
        done();
      });
      socket.once('close', done);
      socket.once('error', (err) => {
        this.streamError ??= err;
        done();
      });
    });
  }

  /**
   * Creates and starts the exec; `onFrame` receives every frame, in order, from the moment it starts. `bound` (the
   * run's deadline) bounds both engine calls instead of the client's default timeout. When the start is cut short
   * after the exec was created, the command may have begun: it is killed by its tag, best effort.
   */
  static start(engine: EngineClient, containerId: string, spec: ExecSpec, onFrame: (frame: Frame) => void, bound?: StartBound): Promise<ExecHandle> {
    const work = ExecHandle.#begin(engine, containerId, spec, onFrame, bound);
    const signal = bound?.signal;
    if (!signal) return work;
    // An engine call still queued for a connection notices its abort only once it gets one: do not wait for that.
    return new Promise<ExecHandle>((resolve, reject) => {
      const onAbort = (): void => {
        reject(new ContainerError('CONTAINER_ABORTED', `exec in container ${containerId.slice(0, 12)}: the run ended (timeout or signal) before the exec started`));
        // Should it start after all, it is ended at once.
        work.then((h) => void h.kill('KILL').finally(() => h.destroy()), () => undefined);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (h) => {
          signal.removeEventListener('abort', onAbort);
          resolve(h);
        },
        (err: Error) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  static async #begin(engine: EngineClient, containerId: string, spec: ExecSpec, onFrame: (frame: Frame) => void, bound: StartBound | undefined): Promise<ExecHandle> {
    const tag = randomBytes(12).toString('hex');
    const env = Object.entries({ ...spec.env, [EXEC_TAG_VAR]: tag }).map(([k, v]) => `${k}=${v}`);
    // Our own signal, unlinked once started: the hijacked socket listens to it for as long as it lives, and a
    // deadline firing later must kill the command (and keep its output), not cut the connection.
    const cut = new AbortController();
    const onCut = (): void => cut.abort();
    bound?.signal?.addEventListener('abort', onCut, { once: true });
    if (bound?.signal?.aborted) cut.abort();
    const limits = { ...(bound?.signal ? { signal: cut.signal } : {}), ...(bound?.timeoutMs === undefined ? {} : { timeoutMs: bound.timeoutMs }) };
    try {
      let execId: string;
      try {
        ({ Id: execId } = await engine.json<{ Id: string }>({
          method: 'POST',
          path: `/containers/${encodeURIComponent(containerId)}/exec`,
          body: {
            Cmd: spec.argv,
            Env: env,
            AttachStdin: spec.stdin === true,
            AttachStdout: true,
            AttachStderr: true,
            Tty: false,
            ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
            ...(spec.user ? { User: spec.user } : {}),
          },
          ...limits,
        }));
      } catch (err) {
        throw containerError(err, `exec in container ${containerId.slice(0, 12)}`);
      }
      let socket: Duplex;
      try {
        // Tty must match the create call: the engines frame the stream by it.
        socket = await engine.hijack({ path: `/exec/${execId}/start`, body: { Detach: false, Tty: false }, ...limits });
      } catch (err) {
        if (cut.signal.aborted) await killTagged(engine, containerId, tag, 'KILL');
        throw containerError(err, `start exec in container ${containerId.slice(0, 12)}`);
      }
      return new ExecHandle(engine, containerId, execId, tag, socket, onFrame, spec.user !== undefined);
    } finally {
      bound?.signal?.removeEventListener('abort', onCut);
    }
  }

  /** True while the output held back is the runtime's "unable to find user" (see exitCode()). */
  get holdsUserError(): boolean {
    return this.#held !== undefined;
  }

  /** Writes `input` to the command's stdin and then closes it (EOF); the output keeps coming. */
  writeStdin(input: string | Buffer | Readable): void {
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      this.socket.end(input);
      return;
    }
    input.on('error', (err) => this.socket.destroy(err));
    input.pipe(this.socket);
  }

  /** True until the output stream has ended. */
  get running(): boolean {
    return this.endedAt === undefined;
  }

  /**
   * The exit code, once the stream has ended; -1 when the container is gone. An engine can report `Running: true` /
   * `ExitCode: null` for a moment after the stream closed: ask again, briefly. Rejects (`CONTAINER_ENGINE_ERROR`)
   * when the engine cannot be asked: a stream cut by a lost engine ends like a finished one. Rejects with
   * `CONTAINER_INVALID_USER` when the only output was Docker's "unable to find user", the exit code 126 and no
   * process was ever started (Pid 0); output that only looked like it is delivered to `onFrame` before this resolves.
   */
  async exitCode(): Promise<number> {
    const { code, pid } = await this.#askExitCode();
    const held = this.#held;
    this.#held = undefined;
    if (held && code === 126 && pid === 0) {
      throw new ContainerError('CONTAINER_INVALID_USER', `exec in container ${this.containerId.slice(0, 12)}: ${held.data.toString('utf8').trim()}`);
    }
    if (held) this.onFrame(held);
    return code;
  }

  async #askExitCode(): Promise<{ code: number; pid?: number | undefined }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      let info: ExecInspect;
      try {
        info = await this.engine.json<ExecInspect>({ path: `/exec/${this.execId}/json` });
      } catch (err) {
        const e = containerError(err, `the exit code of a command in container ${this.containerId.slice(0, 12)}`);
        if (e.code === 'CONTAINER_NOT_FOUND') return { code: -1 }; // the container (and its exec records) went away
        // The engine cannot be asked (it went away, say): the output ended, but the command may well still run.
        throw e;
      }
      if (!info.Running && info.ExitCode !== null) return { code: info.ExitCode, pid: info.Pid };
      await sleep(attempt < 10 ? 5 : 20);
    }
    return { code: -1 };
  }

  /**
   * Signals the command and every process it started, inside the container's own PID namespace (by the exec's
   * tag; see kill-script.ts). Resolves once the signal was delivered; for KILL, waits for the output to end (at
   * most `graceMs`, then drops the connection).
   */
  async kill(signal = 'KILL', graceMs = 5_000): Promise<void> {
    const name = signalName(signal);
    // The container gone or stopped: so is the process. Dropping the connection below ends the wait.
    if (this.running) await killTagged(this.engine, this.containerId, this.tag, name);
    if (name !== 'KILL') return;
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    await this.closed;
    clearTimeout(timer);
  }

  /** Drops the connection (the command may go on running in the container; use kill() to end it). */
  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Runs the kill script (see kill-script.ts) for the processes tagged `tag`, as root, and waits for it to end. Never
 * rejects: when it cannot run, the container is gone or stopped (and the processes with it), or the engine is.
 */
async function killTagged(engine: EngineClient, containerId: string, tag: string, name: string): Promise<void> {
  try {
    const killer = await engine.json<{ Id: string }>({
      method: 'POST',
      path: `/containers/${encodeURIComponent(containerId)}/exec`,
      // Podman refuses (500) to start a non-detached exec with nothing attached: attach, and discard the output.
      body: { Cmd: ['sh', '-c', killScript(tag, name)], AttachStdout: true, AttachStderr: true, User: '0' },
    });
    const res = await engine.request({ method: 'POST', path: `/exec/${killer.Id}/start`, body: { Detach: false, Tty: false } });
    res.body.resume();
    if (res.status !== 200) return;
    await new Promise<void>((resolve) => {
      res.body.once('end', resolve);
      res.body.once('close', resolve);
      res.body.once('error', () => resolve());
    });
  } catch {
    // See above: nothing left to kill, or nobody to ask.
  }
}
