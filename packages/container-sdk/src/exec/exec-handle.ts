import { randomBytes } from 'node:crypto';
import type { Duplex, Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FrameParser } from '@pocketdock/stream-demux';
import type { Frame } from '@pocketdock/stream-demux';
import { containerError } from '../engine-errors.js';
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

  private constructor(
    private readonly engine: EngineClient,
    private readonly containerId: string,
    readonly execId: string,
    readonly tag: string,
    readonly socket: Duplex,
    onFrame: (frame: Frame) => void,
  ) {
    const parser = new FrameParser();
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk, onFrame);
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

  /** Creates and starts the exec; `onFrame` receives every frame, in order, from the moment it starts. */
  static async start(engine: EngineClient, containerId: string, spec: ExecSpec, onFrame: (frame: Frame) => void, signal?: AbortSignal): Promise<ExecHandle> {
    const tag = randomBytes(12).toString('hex');
    const env = Object.entries({ ...spec.env, [EXEC_TAG_VAR]: tag }).map(([k, v]) => `${k}=${v}`);
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
        ...(signal ? { signal } : {}),
      }));
    } catch (err) {
      throw containerError(err, `exec in container ${containerId.slice(0, 12)}`);
    }
    let socket: Duplex;
    try {
      // Tty must match the create call: the engines frame the stream by it.
      socket = await engine.hijack({ path: `/exec/${execId}/start`, body: { Detach: false, Tty: false }, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw containerError(err, `start exec in container ${containerId.slice(0, 12)}`);
    }
    return new ExecHandle(engine, containerId, execId, tag, socket, onFrame);
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
   * when the engine cannot be asked: a stream cut by a lost engine ends like a finished one.
   */
  async exitCode(): Promise<number> {
    for (let attempt = 0; attempt < 100; attempt++) {
      let info: ExecInspect;
      try {
        info = await this.engine.json<ExecInspect>({ path: `/exec/${this.execId}/json` });
      } catch (err) {
        const e = containerError(err, `the exit code of a command in container ${this.containerId.slice(0, 12)}`);
        if (e.code === 'CONTAINER_NOT_FOUND') return -1; // the container (and its exec records) went away
        // The engine cannot be asked (it went away, say): the output ended, but the command may well still run.
        throw e;
      }
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await sleep(attempt < 10 ? 5 : 20);
    }
    return -1;
  }

  /**
   * Signals the command and every process it started, inside the container's own PID namespace (by the exec's
   * tag; see kill-script.ts). Resolves once the signal was delivered; for KILL, waits for the output to end (at
   * most `graceMs`, then drops the connection).
   */
  async kill(signal = 'KILL', graceMs = 5_000): Promise<void> {
    const name = signalName(signal);
    if (this.running) {
      try {
        const killer = await this.engine.json<{ Id: string }>({
          method: 'POST',
          path: `/containers/${encodeURIComponent(this.containerId)}/exec`,
          // Podman refuses (500) to start a non-detached exec with nothing attached: attach, and discard the output.
          body: { Cmd: ['sh', '-c', killScript(this.tag, name)], AttachStdout: true, AttachStderr: true, User: '0' },
        });
        const res = await this.engine.request({ method: 'POST', path: `/exec/${killer.Id}/start`, body: { Detach: false, Tty: false } });
        res.body.resume();
        if (res.status !== 200) throw new Error(`kill exec answered HTTP ${res.status}`);
        await new Promise<void>((resolve) => {
          res.body.once('end', resolve);
          res.body.once('close', resolve);
          res.body.once('error', () => resolve());
        });
      } catch {
        // The container is gone or stopped: so is the process. Dropping the connection below ends the wait.
      }
    }
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
