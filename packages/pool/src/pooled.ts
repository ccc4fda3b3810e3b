import type { Command, Container, ExecResult, RunOptions, Session } from '@pocketdock/container-sdk';
import { randomBytes } from 'node:crypto';
import { RESET_SCRIPT, parseMainPid, probeEpilogue, quickResetScript, takeProbe } from './reset-script.js';
import type { Semaphore } from './semaphore.js';
import type { LeaseWipe } from './wipe.js';

/** Which way a `lease.run` went: the warm session (no new engine exec) or a normal exec. */
export type RunPath = 'session' | 'exec';

/** What `lease.run` gives back: container-sdk's `ExecResult`, and the path that ran it. */
export interface PoolExecResult extends ExecResult {
  path: RunPath;
}

/** Options of `lease.run`: a blocking container-sdk run (no `stream`, no `detach`). */
export type LeaseRunOptions = Omit<RunOptions, 'stream' | 'detach' | 'encoding' | 'bufferBytes' | 'onStdout' | 'onStderr' | 'onExit'>;

/** Output cap of the warm session; a run asking for another cap takes the exec path. */
export const SESSION_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The settings a pooled container needs from its pool. */
export interface PooledSettings {
  sem: Semaphore;
  resetTimeoutMs: number;
  runTimeoutMs: number;
}

/**
 * One container of the pool, with its bookkeeping (uses, lifetime, idle time, taint) and a warm attached shell
 * for the fast path and the release check. The session is an optimisation only: whenever it is missing or broken,
 * the exec path does the same work.
 */
export class PooledContainer {
  uses = 0;
  idleSince = Date.now();
  /** A run timed out or hit its output cap: the container is removed on release, never reused. */
  tainted = false;
  /** `cleanLeases: 'wipe'`: set by the fleet once prepared; a release runs it instead of `reset()`. */
  wipe: LeaseWipe | undefined;
  #session: Session | undefined;
  /** The quick check, once the full check found the container's main process (it keeps that one alive). */
  #quickCheck: string | undefined;
  #mainPid: number | undefined;
  /** Bumped by every run: what may have changed the container. */
  #activity = 0;
  /** The lease being checked was handed the `Container`: what it did with it is not seen here. */
  #exposed = false;
  /** `#activity` as it was when the container was last seen clean (a check passed, or a fast-path run's epilogue). */
  #cleanAt = -1;

  constructor(
    readonly container: Container,
    readonly expiresAt: number,
    private readonly settings: PooledSettings,
  ) {}

  /**
   * Opens the warm session (one exec, through the engine-op limit) and runs the full check in it once, which finds
   * the main process for the quick checks. A failure leaves the exec path in charge.
   */
  async warm(): Promise<void> {
    if (this.#session && !this.#session.closed) return;
    this.#session = undefined;
    try {
      const session = await this.settings.sem.run(() => this.container.session({ maxOutputBytes: SESSION_MAX_OUTPUT_BYTES }));
      this.#session = session;
      const r = await session.run(RESET_SCRIPT, { timeoutMs: this.settings.resetTimeoutMs });
      this.#learnMainPid(r);
    } catch {
      // No session (image without sh, container going away...): runs and resets use execs.
    }
  }

  /**
   * Kills what the lease left running and checks the container is healthy: true when it can be reused. In the warm
   * session (the quick check, ~0.4 ms: no fork, no file read) when it is there, else with an exec of the full check.
   */
  async reset(): Promise<boolean> {
    if (this.tainted) return false;
    const session = this.#session;
    // Nothing happened since it was last seen clean (the epilogue of the lease's last fast-path run, or the check
    // after the previous lease): it is checked already. The session must still be open: a container that died
    // since would have closed it.
    const exposed = this.#exposed;
    this.#exposed = false;
    if (!exposed && this.#cleanAt === this.#activity && session && !session.closed) return true;
    const seen = this.#activity;
    if (session && !session.closed) {
      try {
        const quick = this.#quickCheck;
        const r = await session.run(quick ?? RESET_SCRIPT, { timeoutMs: this.settings.resetTimeoutMs });
        if (r.exitCode === 0 && !r.timedOut) {
          if (!quick) this.#learnMainPid(r);
          this.#cleanAt = seen;
          return true;
        }
      } catch {
        // The lease broke the session (or the container is gone): the exec below tells which.
      }
    }
    try {
      const r = await this.settings.sem.run(() => this.container.run(['sh', '-c', RESET_SCRIPT], { timeoutMs: this.settings.resetTimeoutMs }));
      if (r.exitCode !== 0 || r.timedOut) return false;
    } catch {
      return false; // gone or stopped
    }
    await this.warm(); // the exec's check killed the old session's shell, if it was still there
    this.#cleanAt = seen;
    return true;
  }

  /** The main process's PID, once the full check found it. */
  get mainPid(): number | undefined {
    return this.#mainPid;
  }

  /** Runs `script` in the warm session's shell, or with an exec's `sh -c` when there is none (then warms again). */
  async runScript(script: string): Promise<ExecResult> {
    const session = this.#session;
    const timeoutMs = this.settings.resetTimeoutMs;
    if (session && !session.closed) return session.run(script, { timeoutMs });
    const r = await this.settings.sem.run(() => this.container.run(['sh', '-c', script], { timeoutMs }));
    await this.warm();
    return r;
  }

  /** The lease was handed the `Container` (any container-sdk call may follow, now or later): its release checks for itself. */
  touch(): void {
    this.#exposed = true;
  }

  #learnMainPid(r: ExecResult): void {
    const main = r.exitCode === 0 && !r.timedOut ? parseMainPid(r.stdout) : undefined;
    this.#mainPid = main;
    this.#quickCheck = main === undefined ? undefined : quickResetScript(main);
  }

  /**
   * Runs `cmd` to completion. A string command with no `stdin`, `signal` or `user` and the session's output cap
   * goes through the warm session, in its own subshell (cwd and env never leak into the next command); anything
   * else is a normal exec. A timeout or a cut output taints the container.
   */
  async run(cmd: Command, options: LeaseRunOptions = {}): Promise<PoolExecResult> {
    const session = this.#session;
    const script = typeof cmd === 'string' ? subshell(cmd, options) : undefined;
    const mine = ++this.#activity;
    let result: PoolExecResult;
    if (session && !session.closed && script !== undefined && fastPathFits(options)) {
      // The epilogue looks whether the command left anything running, in the same write and the same round trip:
      // when it found nothing and nothing else ran since, the release needs no check of its own.
      const nonce = this.#mainPid === undefined ? undefined : randomBytes(8).toString('hex');
      const text = nonce === undefined ? script : `${script}\n${probeEpilogue(this.#mainPid!, nonce)}`;
      const r = await session.run(text, { timeoutMs: options.timeoutMs ?? this.settings.runTimeoutMs });
      const probe = nonce === undefined || r.timedOut ? undefined : takeProbe(r.stdout, nonce);
      if (probe) {
        result = { ...r, stdout: probe.stdout, exitCode: probe.exitCode, ok: probe.exitCode === 0 && !r.truncated, path: 'session' };
        if (probe.clean && mine === this.#activity) this.#cleanAt = mine;
      } else {
        result = { ...r, path: 'session' };
      }
    } else {
      const r = await this.container.run(cmd, { ...options, stream: false, detach: false });
      result = { ...r, path: 'exec' };
    }
    if (result.timedOut || result.truncated) this.tainted = true;
    return result;
  }
}

function fastPathFits(o: LeaseRunOptions): boolean {
  return o.stdin === undefined && o.signal === undefined && o.user === undefined && (o.maxOutputBytes === undefined || o.maxOutputBytes === SESSION_MAX_OUTPUT_BYTES);
}

/**
 * `( cd; export...; eval 'cmd' )`: the command is quoted, so no `)` or `#` in it can end the subshell early and leave
 * the rest running in the session's own shell; undefined when env names are not shell names.
 */
function subshell(cmd: string, o: LeaseRunOptions): string | undefined {
  const env = Object.entries(o.env ?? {});
  if (env.some(([k]) => !ENV_NAME.test(k))) return undefined;
  const lines = ['('];
  if (o.workdir !== undefined) lines.push(`cd -- ${shQuote(o.workdir)} || exit 126`);
  for (const [k, v] of env) lines.push(`export ${k}=${shQuote(v)}`);
  lines.push(`eval ${shQuote(cmd)}`, ')');
  return lines.join('\n');
}
