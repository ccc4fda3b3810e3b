import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Duplex } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FlowManagerError } from '../errors.js';
import type { LiveServerToClientEvents } from './live-events.js';

type ExitReason = Parameters<LiveServerToClientEvents['terminal_exit']>[0]['reason'];

/** Each engine call of a terminal (create, attach, resize) fails after this, rather than hang its request. */
const ENGINE_TIMEOUT_MS = 15_000;

/** Packets waiting to go out to a client beyond which its terminal's output is not read. */
const MAX_QUEUED = 64;

/** A client connection's send queue: how many packets wait, and a call once it has drained. */
export interface ClientQueue {
  queued(): number;
  onDrain(callback: () => void): void;
}

export interface TerminalsOptions {
  engine: EngineClient;
  /** Open terminals at most, all clients together. */
  maxTerminals: number;
  /** A terminal with no input and no output for this long is closed. */
  idleMs: number;
  /** The command run on the TTY. */
  command: string[];
}

interface Terminal {
  id: string;
  owner: string;
  containerId: string;
  execId: string;
  socket: Duplex;
  idle: NodeJS.Timeout;
  emit: <E extends keyof LiveServerToClientEvents>(event: E, ...args: Parameters<LiveServerToClientEvents[E]>) => void;
}

/**
 * Exec sessions with a TTY, each owned by one Socket.IO client: at most one per container per client, at most
 * `maxTerminals` in all, closed after `idleMs` without traffic, when the client disconnects, and at shutdown.
 * Closing ends the hijacked connection, then makes sure the shell is gone (`kill -HUP` of its process, run by a
 * second short exec: the engine's own pid would be a host pid, meaningless for a remote engine).
 */
export class Terminals {
  readonly #o: TerminalsOptions;
  readonly #open = new Map<string, Terminal>();

  constructor(options: TerminalsOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Opens a terminal for `owner`. `client` (its connection's send queue) gives backpressure: while more than
   * MAX_QUEUED packets wait to go out to the client, the exec's output is not read (the engine, then the shell, wait).
   */
  async open(owner: string, containerId: string, size: { cols: number; rows: number }, emit: Terminal['emit'], client?: ClientQueue): Promise<string> {
    for (const t of this.#open.values()) {
      if (t.owner === owner && t.containerId === containerId) {
        throw new FlowManagerError('FM_LIVE_LIMIT', 'this client has a terminal on that container already; close it first', { details: { terminal_id: t.id, limit: 'one terminal per container per client' } });
      }
    }
    if (this.#open.size >= this.#o.maxTerminals) {
      throw new FlowManagerError('FM_LIVE_LIMIT', `${this.#o.maxTerminals} terminals are open (maxTerminals); close one first`, { details: { max_terminals: this.#o.maxTerminals } });
    }
    const { engine } = this.#o;
    const id = `t-${randomBytes(8).toString('hex')}`;
    const exec = await engine.json<{ Id: string }>({
      method: 'POST',
      path: `/containers/${encodeURIComponent(containerId)}/exec`,
      body: { Cmd: this.#o.command, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, Env: ['TERM=xterm-256color', `PD_TERMINAL=${id}`], ConsoleSize: [size.rows, size.cols] },
      timeoutMs: ENGINE_TIMEOUT_MS,
    });
    const socket = await engine.hijack({ path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: true }, timeoutMs: ENGINE_TIMEOUT_MS });
    const t: Terminal = { id, owner, containerId, execId: exec.Id, socket, idle: setTimeout(() => void this.close(id, 'idle'), this.#o.idleMs), emit };
    this.#open.set(id, t);
    const decoder = new StringDecoder('utf8');
    socket.on('data', (chunk: Buffer) => {
      t.idle.refresh();
      emit('terminal_output', { terminal_id: id, data: decoder.write(chunk) });
      if (client !== undefined && client.queued() > MAX_QUEUED && !socket.isPaused()) {
        socket.pause();
        client.onDrain(() => socket.resume());
      }
    });
    const ended = (): void => void this.close(id, 'exited');
    socket.once('end', ended);
    socket.once('close', ended);
    socket.on('error', () => undefined);
    await this.resize(owner, id, size).catch(() => undefined);
    return id;
  }

  #mine(owner: string, id: string): Terminal {
    const t = this.#open.get(id);
    if (t === undefined || t.owner !== owner) throw new FlowManagerError('FM_TERMINAL_NOT_FOUND', `no open terminal ${id} for this client (closed, idle, or never opened)`, { details: { terminal_id: id } });
    return t;
  }

  input(owner: string, id: string, data: string): number {
    const t = this.#mine(owner, id);
    t.idle.refresh();
    t.socket.write(data);
    return Buffer.byteLength(data);
  }

  async resize(owner: string, id: string, size: { cols: number; rows: number }): Promise<void> {
    const t = this.#mine(owner, id);
    await this.#o.engine.json({ method: 'POST', path: `/exec/${t.execId}/resize`, query: { h: size.rows, w: size.cols }, timeoutMs: ENGINE_TIMEOUT_MS });
  }

  /** Closes one terminal (its owner's, when `owner` is given). Idempotent. */
  async close(id: string, reason: ExitReason, owner?: string): Promise<void> {
    const t = owner === undefined ? this.#open.get(id) : this.#mine(owner, id);
    if (t === undefined) return;
    this.#open.delete(id);
    clearTimeout(t.idle);
    t.socket.destroy();
    t.emit('terminal_exit', { terminal_id: id, reason });
    await this.#reap(t);
  }

  /** Every terminal of one client (it disconnected). */
  async closeOwner(owner: string): Promise<void> {
    await Promise.all([...this.#open.values()].filter((t) => t.owner === owner).map((t) => this.close(t.id, 'disconnected')));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.close(id, 'shutdown')));
  }

  /** The shell may outlive its connection (the engine keeps the TTY): hang it up by its pid in the container. */
  async #reap(t: Terminal): Promise<void> {
    const { engine } = this.#o;
    try {
      const info = await engine.json<{ Running?: boolean; Pid?: number }>({ path: `/exec/${t.execId}/json`, timeoutMs: 5_000 });
      if (info.Running !== true) return;
      // The exec's pid is the engine's (host) pid: in the container, the terminal's processes carry PD_TERMINAL.
      const kill = await engine.json<{ Id: string }>({
        method: 'POST',
        path: `/containers/${encodeURIComponent(t.containerId)}/exec`,
        body: { Cmd: ['sh', '-c', `for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ 2>/dev/null | grep -qx 'PD_TERMINAL=${t.id}' && kill -HUP \${p#/proc/} 2>/dev/null; done; true`], AttachStdout: false, AttachStderr: false },
        timeoutMs: 5_000,
      });
      await engine.json({ method: 'POST', path: `/exec/${kill.Id}/start`, body: { Detach: true, Tty: false }, timeoutMs: 5_000 });
    } catch {
      // gone with its container, or the engine is stopping: nothing left to hang up
    }
  }
}
