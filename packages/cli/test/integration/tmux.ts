import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { until } from '@pocketdock/testkit';

const run = promisify(execFile);

/** A tmux server of its own (private socket) with one detached window running `sh`: a real terminal to drive. */
export class Tmux implements AsyncDisposable {
  private constructor(readonly socket: string) {}

  static async start(cols: number, rows: number, env: NodeJS.ProcessEnv): Promise<Tmux> {
    const t = new Tmux(`pdcli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    await run('tmux', ['-L', t.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 't', '-x', String(cols), '-y', String(rows), 'sh'], {
      env: { ...env, PS1: 'host$ ', TERM: 'xterm' },
    });
    await run('tmux', ['-L', t.socket, 'set-option', '-g', 'window-size', 'manual']);
    await t.type(`PS1='host$ '`); // dash sets its own prompt whatever the environment says
    await t.waitFor(/^host\$\s*$/m, 'the host prompt');
    return t;
  }

  async send(...keys: string[]): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 't', ...keys]);
  }

  /** Types `line` literally, then Enter. */
  async type(line: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 't', '-l', line]);
    await this.send('Enter');
  }

  /** The screen as text; `escapes`: with the colour and attribute sequences (capture-pane -e). */
  async screen(escapes = false): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 't', '-S', '-200']);
    return stdout;
  }

  /** Waits until the screen matches `pattern`; returns the screen. */
  async waitFor(pattern: RegExp, what: string): Promise<string> {
    let text = '';
    try {
      await until(async () => pattern.test((text = await this.screen())), { timeoutMs: 20_000, what });
    } catch (err) {
      throw new Error(`${(err as Error).message}; the screen:\n${text}`);
    }
    return text;
  }

  /** Whether the terminal shows its cursor (a program that hid it may have left it hidden). */
  async cursorVisible(): Promise<boolean> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'display-message', '-p', '-t', 't', '#{cursor_flag}']);
    return stdout.trim() === '1';
  }

  async resize(cols: number, rows: number): Promise<void> {
    await run('tmux', ['-L', this.socket, 'resize-window', '-t', 't', '-x', String(cols), '-y', String(rows)]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => undefined);
  }
}
