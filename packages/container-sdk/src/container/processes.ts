import type { Command } from '../exec/command.js';
import { ProcessAttachment } from '../processes/attachment.js';
import type { AttachOptions } from '../processes/attachment.js';
import { killProcess, listProcesses, removeProcess, spawnProcess, waitProcess } from '../processes/supervised.js';
import type { ProcessHost, ProcessInfo, SpawnOptions } from '../processes/supervised.js';
import { ContainerFiles } from './files.js';

/** @internal Supervised processes that outlive the client: spawn, list, attach, kill, wait. Part of {@link Container}. */
export abstract class ContainerProcesses extends ContainerFiles {
  /**
   * Starts `cmd` under a supervisor inside the container that keeps its output (at most `maxOutputBytes`, oldest
   * dropped first) and exit status: it outlives this client, and any client (`openContainer(name)`) can list it,
   * `attach`, `killProcess` or `waitProcess` it. Resolves once it runs. See the README, "Supervised processes".
   *
   * @example
   * const { id } = await c.spawn('./train.sh', { maxOutputBytes: 4 * 1024 * 1024 });
   * // later, from any process: const a = await (await openContainer(name)).attach(id, { offset: 0 });
   */
  spawn(cmd: Command, options: SpawnOptions = {}): Promise<ProcessInfo> {
    return this.live(() => spawnProcess(this.processHost(), cmd, options));
  }

  /** The supervised processes of this container (running, exited, lost), oldest first. */
  processes(): Promise<ProcessInfo[]> {
    return this.live(() => listProcesses(this.processHost()));
  }

  /** Replays a supervised process's output from `offset`, then follows it: see {@link ProcessAttachment}. */
  attach(id: string, options: AttachOptions = {}): Promise<ProcessAttachment> {
    return this.live(() => ProcessAttachment.open(this.processHost(), id, options));
  }

  /** Signals a supervised process's group (default KILL). Already ended: nothing to do. */
  killProcess(id: string, signal = 'KILL'): Promise<void> {
    return this.live(() => killProcess(this.processHost(), id, signal));
  }

  /** Waits for a supervised process to end: its exit status (`CONTAINER_WAIT_TIMEOUT` after `timeoutMs`). */
  waitProcess(id: string, options: { timeoutMs?: number } = {}): Promise<{ exitCode: number }> {
    return this.live(() => waitProcess(this.processHost(), id, options));
  }

  /** Forgets an ended supervised process (its kept output goes); still running: `PROCESS_RUNNING`. */
  removeProcess(id: string): Promise<void> {
    return this.live(() => removeProcess(this.processHost(), id));
  }

  private processHost(): ProcessHost {
    return { engine: this.engine, containerId: () => this.id, track: this.track, timeoutMs: this.options.timeoutMs, defaults: this.options };
  }
}
