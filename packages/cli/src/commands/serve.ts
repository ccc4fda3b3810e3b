import { once } from 'node:events';
import type { Context } from '../context.js';

/** `pocketdock serve`: the flow-manager of the `flowManager` settings, until SIGINT or SIGTERM; then stopped. */
export async function serve(ctx: Context): Promise<number> {
  const pd = await ctx.pocketdock();
  await ctx.engine();
  const fm = await pd.flowManager();
  const doc = { url: fm.url, port: fm.port, pid: process.pid };
  // one line, so a script can read it as soon as it is there
  if (ctx.out.json) ctx.out.line(JSON.stringify(doc));
  else ctx.out.info(`flow-manager listening on ${fm.url} (Ctrl-C stops it)`);
  const stop = new AbortController();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (): void => stop.abort();
  for (const s of signals) process.once(s, onSignal);
  try {
    await once(stop.signal, 'abort');
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  ctx.out.info('flow-manager: stopping');
  await pd.close(); // stops the flow-manager (bounded by its shutdownGraceMs), then the engine client
  return 0;
}
