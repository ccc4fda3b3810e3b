import type { Container } from '@pocketdock/container-sdk';
import { CliError, EXIT } from './errors.js';

export interface TtyExecOptions {
  env?: Record<string, string> | undefined;
  workdir?: string | undefined;
  user?: string | undefined;
  /** Forward this terminal's input (`-i`); `shell` always does. */
  interactive: boolean;
}

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
}

/**
 * Runs `cmd` in the container on a terminal of its own, through the engine API (an exec with `Tty: true` over the
 * hijacked connection): with `interactive`, this terminal in raw mode, so Ctrl-C and every key reach the container
 * (without it, the terminal is left as it is and Ctrl-C here ends the command: 130); its size sent at
 * the start and on each SIGWINCH (exec resize). The terminal is restored on every way out. Resolves with the
 * command's exit status.
 */
export async function ttyExec(container: Container, cmd: string[], options: TtyExecOptions): Promise<number> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new CliError('CLI_NOT_A_TTY', 'a terminal is needed here, and stdin or stdout is not one', 'drop -t (stdin is forwarded anyway when it is a pipe)');
  }
  const engine = container.engine;
  const env = [`TERM=${process.env.TERM ?? 'xterm'}`, ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  const exec = await engine.json<{ Id: string }>({
    method: 'POST',
    path: `/containers/${container.id}/exec`,
    body: {
      Cmd: cmd,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Env: env,
      ...(options.workdir !== undefined ? { WorkingDir: options.workdir } : {}),
      ...(options.user !== undefined ? { User: options.user } : {}),
    },
  });
  const resize = (): Promise<void> =>
    engine
      .json({ method: 'POST', path: `/exec/${exec.Id}/resize`, query: { h: stdout.rows, w: stdout.columns } })
      .then(() => undefined, () => undefined);

  const socket = await engine.hijack({ path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: true } });
  const wasRaw = stdin.isRaw;
  const restore = (): void => {
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
  };
  const onData = (data: Buffer): void => {
    socket.write(data);
  };
  const onWinch = (): void => void resize();
  let interrupted = false;
  const onSignal = (): void => {
    socket.destroy();
  };
  // Without -i this terminal stays as it is (not raw): Ctrl-C here ends the command, as `run` without -t does.
  const onSigint = (): void => {
    interrupted = true;
    socket.destroy();
  };
  process.on('exit', restore);
  process.on('SIGWINCH', onWinch);
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  try {
    if (options.interactive) {
      stdin.setRawMode(true);
      stdin.on('data', onData);
      stdin.resume();
    } else {
      process.on('SIGINT', onSigint);
    }
    socket.on('data', (data: Buffer) => stdout.write(data));
    const ended = new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.once('end', () => resolve());
      socket.once('error', () => resolve());
    });
    await resize();
    await ended;
  } finally {
    stdin.off('data', onData);
    stdin.pause();
    restore();
    process.off('exit', restore);
    process.off('SIGWINCH', onWinch);
    process.off('SIGINT', onSigint);
    for (const s of ['SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    socket.destroy();
  }
  if (interrupted) return EXIT.interrupted;
  return exitStatus(container, exec.Id);
}

async function exitStatus(container: Container, execId: string): Promise<number> {
  // Right after the stream ends both engines may still say Running / ExitCode null for a moment.
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await container.engine.json<ExecInspect>({ path: `/exec/${execId}/json` });
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new CliError('CLI_CONTAINER_STOPPED', 'the command ended but the engine never reported its exit status');
}
