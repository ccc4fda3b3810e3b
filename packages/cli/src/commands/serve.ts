import { once } from 'node:events';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { spin } from '../spinner.js';

/** `pocketdock serve`: the flow-manager of the `flowManager` settings, until SIGINT or SIGTERM; then stopped. */
export async function serve(ctx: Context): Promise<number> {
  // The dashboard's page (@pocketdock/dashboard) at `/`, unless the settings name a page of their own.
  let page: string | undefined;
  try {
    const { dashboardDir } = await import('@pocketdock/dashboard');
    // Resolved from the running bin (the package it belongs to), else from the working directory.
    try {
      page = dashboardDir(process.argv[1] ?? join(process.cwd(), 'noop.js'));
    } catch {
      page = dashboardDir();
    }
  } catch (err) {
    ctx.out.verbose(`no dashboard page: ${(err as Error).message}`);
  }
  const pd = await ctx.pocketdock((settings) =>
    page !== undefined && settings.get('flowManager.dashboardDir') === undefined ? { flowManager: { dashboardDir: page } } : undefined,
  );
  await ctx.engine();
  const fm = await spin(ctx.out, 'starting the flow-manager', () => pd.flowManager());
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
  await spin(ctx.out, 'stopping the flow-manager', () => pd.close()); // stops the flow-manager (bounded by its shutdownGraceMs), then the engine client
  return 0;
}
