import { once } from 'node:events';
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
}

/** No timeout unless `--timeout`: the longest a timer can wait (~24.8 days). */
const NO_TIMEOUT_MS = 2_147_483_647;

/**
 * `pocketdock run C -- argv...`: argv kept exactly (one string: `sh -c`), output streamed live with stdout and
 * stderr apart, stdin forwarded when it is not a terminal; exits with the command's status, 124 on `--timeout`.
 */
export async function run(ctx: Context, [name, command]: unknown[], options: Record<string, unknown>): Promise<number> {
  const o = options as RunOptions;
  const argv = command as string[];
  const env = keyValues(o.env, '--env');
  const timeoutMs = seconds(o.timeout, '--timeout');
  if (o.tty) {
    const { ttyExec } = await import('../tty-exec.js');
    const c = await target(ctx, name as string);
    if (!(await isRunning(c))) throw stopped(name as string);
    return ttyExec(c, argv.length === 1 ? ['sh', '-c', argv[0]!] : argv, { env, workdir: o.workdir, user: o.user, interactive: o.interactive === true });
  }
  if (o.interactive) throw new CliError('CLI_INVALID_ARGUMENT', '-i needs -t (stdin is forwarded anyway when it is not a terminal)', 'use -it');
  const c = await target(ctx, name as string);
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
    if (interrupted) return EXIT.interrupted;
    if (result.timedOut) {
      ctx.out.info(`pocketdock: timed out after ${o.timeout}s: the command was killed`);
      return EXIT.timeout;
    }
    if (result.exitCode < 0) throw new CliError('CLI_CONTAINER_STOPPED', `container ${name as string} went away while the command ran`);
    return result.exitCode;
  } catch (err) {
    throw explainStopped(err, name as string);
  } finally {
    process.off('SIGINT', onSigint);
    if (stdin) stdin.destroy();
  }
}
