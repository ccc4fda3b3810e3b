import type { Context } from '../context.js';
import { keyValues } from '../parse.js';
import { spin } from '../spinner.js';

interface CreateOptions {
  name?: string;
  image?: string;
  mem?: string;
  cpu?: number;
  env?: string[];
  label?: string[];
  workdir?: string;
  network?: string;
}

/** `pocketdock create`: a persistent sandbox (it outlives this process); prints its name. */
export async function create(ctx: Context, [command]: unknown[], options: Record<string, unknown>): Promise<void> {
  const o = options as CreateOptions;
  const pd = await ctx.pocketdock();
  await ctx.engine();
  const project = await ctx.project();
  const c = await spin(ctx.out, `creating ${o.name ?? 'a sandbox'}`, () => pd.createContainer({
    persist: true,
    ...(Array.isArray(command) && command.length > 0 ? { command: command as string[] } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.mem !== undefined ? { memLimit: o.mem } : {}),
    ...(o.cpu !== undefined ? { cpuPercent: o.cpu } : {}),
    ...(o.workdir !== undefined ? { workdir: o.workdir } : {}),
    ...(o.network !== undefined ? { network: o.network } : {}),
    ...(project !== undefined ? { project } : {}),
    ...(o.env ? { env: keyValues(o.env, '--env') } : {}),
    ...(o.label ? { labels: keyValues(o.label, '--label') } : {}),
  }));
  if (ctx.out.json) ctx.out.printJson({ id: c.id, name: c.name, image: c.image });
  else ctx.out.line(c.name);
}
