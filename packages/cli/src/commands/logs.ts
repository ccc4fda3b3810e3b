import type { Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { target } from './target.js';

/** `--since`: seconds since the epoch, an ISO date, or an age ('90s', '10m', '2h', '1d'). */
export function parseSince(text: string, now = Date.now()): number {
  const age = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  if (age) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[age[2] as 's' | 'm' | 'h' | 'd'];
    return Math.floor(now / 1000 - Number(age[1]) * unit);
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text));
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new CliError('CLI_INVALID_ARGUMENT', `--since ${text}: expected seconds since the epoch, an ISO date or an age such as 10m`);
  return Math.floor(ms / 1000);
}

/** `pocketdock logs C`: the main process's output, stdout and stderr apart; `--follow` until Ctrl-C or the end. */
export async function logs(ctx: Context, [name]: unknown[], options: Record<string, unknown>): Promise<number> {
  const { demux } = await import('@pocketdock/stream-demux');
  const c = await target(ctx, name as string);
  const tail = options.tail as string | undefined;
  if (tail !== undefined && !/^\d+$/.test(tail)) throw new CliError('CLI_INVALID_ARGUMENT', `--tail ${tail}: expected a number of lines`);
  const res = await c.engine.request({
    path: `/containers/${c.id}/logs`,
    query: {
      stdout: true,
      stderr: true,
      follow: options.follow === true,
      timestamps: options.timestamps === true,
      ...(options.since !== undefined ? { since: parseSince(options.since as string) } : {}),
      ...(tail !== undefined ? { tail } : {}),
    },
    stream: true,
  });
  if (res.status >= 400) {
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    throw new CliError('CLI_INVALID_ARGUMENT', `the engine refused the logs of ${name as string}: ${Buffer.concat(chunks).toString().trim()}`);
  }
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    await demux(res.body, { stdout: process.stdout, stderr: process.stderr }, { end: false, signal: abort.signal });
    return EXIT.ok;
  } catch (err) {
    if (abort.signal.aborted) return EXIT.interrupted;
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    res.body.destroy();
  }
}
