import { once } from 'node:events';
import type { Container } from '@pocketdock/container-sdk';
import type { Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { keyValues, seconds } from '../parse.js';
import { explainStopped, isRunning, stopped, target } from './target.js';

interface RunOptions {
  timeout?: string;
  env?: string[];
  workdir?: string;
  user?: string;
  interactive?: boolean;
  tty?: boolean;
  stdin?: boolean;
  history?: boolean;
  throwaway?: boolean;
}

/** No timeout unless `--timeout`: the longest a timer can wait (~24.8 days). */
const NO_TIMEOUT_MS = 2_147_483_647;

/**
 * `pocketdock run C -- argv...`: argv kept exactly (one string: `sh -c`), output streamed live with stdout and
 * stderr apart, stdin forwarded when it is not a terminal; exits with the command's status, 124 on `--timeout`.
 */
export async function run(ctx: Context, [name, command]: unknown[], options: Record<string, unknown>, made?: Container): Promise<number> {
  const o = options as RunOptions;
  if (o.throwaway) return runThrowaway(ctx, [name as string, ...(command as string[])], options);
  const argv = command as string[];
  if (argv.length === 0) throw new CliError('CLI_USAGE', "missing required argument 'command'", 'pocketdock run <container> -- <command...>, or pocketdock run -- <command...> in a throwaway sandbox');
  const env = keyValues(o.env, '--env');
  const timeoutMs = seconds(o.timeout, '--timeout');
  if (o.tty) {
    const { ttyExec } = await import('../tty-exec.js');
    const c = made ?? (await target(ctx, name as string));
    if (!made && !(await isRunning(c))) throw stopped(name as string);
    const started = new Date();
    const status = await ttyExec(c, argv.length === 1 ? ['sh', '-c', argv[0]!] : argv, { env, workdir: o.workdir, user: o.user, interactive: o.interactive === true });
    await remember(o, c.id, argv, started, status, false);
    return status;
  }
  if (o.interactive) throw new CliError('CLI_INVALID_ARGUMENT', '-i needs -t (stdin is forwarded anyway when it is not a terminal)', 'use -it');
  const c = made ?? (await target(ctx, name as string));
  const started = new Date();
  const stdin = o.stdin !== false && process.stdin.isTTY !== true ? process.stdin : undefined;
  const stream = c.run(argv.length === 1 ? argv[0]! : argv, {
    stream: true,
    encoding: 'buffer',
    timeoutMs: timeoutMs ?? NO_TIMEOUT_MS,
    maxOutputBytes: Number.MAX_SAFE_INTEGER,
    ...(env ? { env } : {}),
    ...(o.workdir !== undefined ? { workdir: o.workdir } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(stdin ? { stdin } : {}),
  });
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    void stream.kill();
  };
  process.once('SIGINT', onSigint);
  try {
    for await (const chunk of stream) {
      const sink = chunk.stream === 'stdout' ? process.stdout : process.stderr;
      if (!sink.write(chunk.data)) await once(sink, 'drain');
    }
    const result = await stream.result;
    await remember(o, c.id, argv, started, interrupted ? EXIT.interrupted : result.exitCode, result.timedOut);
    if (interrupted) return EXIT.interrupted;
    if (result.timedOut) {
      ctx.out.info(`pocketdock: timed out after ${o.timeout}s: the command was killed`);
      return EXIT.timeout;
    }
    if (result.exitCode < 0) throw new CliError('CLI_CONTAINER_STOPPED', `container ${name as string} went away while the command ran`);
    return result.exitCode;
  } catch (err) {
    // After Ctrl-C the kill may cut the stream before its end arrives (seen on Podman): still an interruption.
    if (interrupted) return EXIT.interrupted;
    throw explainStopped(err, name as string);
  } finally {
    process.off('SIGINT', onSigint);
    if (stdin) stdin.destroy();
  }
}

/** Adds the command to the container's history (`pocketdock history`), unless `--no-history`; never fails the run. */
async function remember(o: RunOptions, id: string, argv: string[], started: Date, exitCode: number, timedOut: boolean): Promise<void> {
  if (o.history === false) return;
  const { recordHistory } = await import('../history-store.js');
  await recordHistory(id, { time: started.toISOString(), argv, exitCode, durationMs: Date.now() - started.getTime(), timedOut }).catch(() => undefined);
}

/** `pocketdock run -- cmd`: a sandbox of the `sandbox` settings, made for this command and removed after it. */
async function runThrowaway(ctx: Context, argv: string[], options: Record<string, unknown>): Promise<number> {
  const pd = await ctx.pocketdock();
  await ctx.engine();
  const project = await ctx.project();
  const c = await pd.createContainer({ persist: false, ...(project !== undefined ? { project } : {}) });
  try {
    return await run(ctx, [c.name, argv], { ...options, throwaway: false, history: false }, c);
  } finally {
    await c.shutdown({ force: true });
  }
}
