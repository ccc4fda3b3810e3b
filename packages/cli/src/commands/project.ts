import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { DEFAULT_IMAGE } from './doctor.js';

/** A project name as a label value: lower case letters, digits, `.`, `_`, `-`. */
export function projectName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return name === '' ? 'project' : name.slice(0, 63);
}

/** `pocketdock init`: `.pocketdock/pocketdock.yaml` here, naming the project, its image and memory limit. */
export async function init(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<void> {
  const project = projectName(ctx.options.project ?? basename(process.cwd()));
  const image = options.image as string;
  const mem = options.mem as string;
  for (const [flag, value] of [['--image', image], ['--mem', mem]] as const) {
    if (!/^[\w./:@-]+$/.test(value)) throw new CliError('CLI_INVALID_ARGUMENT', `${flag} ${value}: not a plain value`);
  }
  const dir = join(process.cwd(), '.pocketdock');
  const file = join(dir, 'pocketdock.yaml');
  if (options.force !== true && (await stat(file).then(() => true, () => false))) {
    throw new CliError('CLI_FILE_EXISTS', `${file} exists`, 'add --force to replace it, or edit it: `pocketdock config` shows what it sets');
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    file,
    `# pocketdock project settings: \`pocketdock config\` shows every setting and where it came from.\n` +
      `# Keep secrets out of this file (POCKETDOCK_* variables instead).\nsandbox:\n  project: ${project}\n  image: ${image}\n  memLimit: ${mem}\n  network: none\n`,
  );
  if (ctx.out.json) return ctx.out.printJson({ path: file, project, image });
  ctx.out.line(file);
  ctx.out.info(`project ${project}: \`pocketdock create\` makes its sandboxes, \`pocketdock list\` shows them`);
}

/** `pocketdock quickstart`: engine, image, a sandbox, a command in it, and the commands to type next. */
export async function quickstart(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<void> {
  const { openContainer } = await import('@pocketdock/container-sdk');
  const pd = await ctx.pocketdock();
  const engine = await ctx.engine();
  const name = options.name as string;
  const image = (options.image as string | undefined) ?? pd.settings.get('sandbox.image') ?? DEFAULT_IMAGE;
  ctx.out.info(`1. engine: ${engine.engine} (API ${engine.apiVersion}) at ${engine.socketPath}`);
  await engine.json({ path: `/images/${encodeURI(image)}/json` }).catch((err: unknown) => {
    throw new CliError('CLI_INVALID_ARGUMENT', `image ${image} is not on the engine`, '`pocketdock build busybox` in a pocketdock checkout, or `pocketdock import <file>`', { cause: err });
  });
  ctx.out.info(`2. image: ${image}`);
  let reused = true;
  const project = await ctx.project();
  const box = await openContainer(name, { engine }).catch(async (err: unknown) => {
    if ((err as { code?: unknown }).code !== 'CONTAINER_NOT_FOUND') throw err;
    reused = false;
    return pd.createContainer({ name, image, persist: true, ...(project !== undefined ? { project } : {}) });
  });
  ctx.out.info(`3. sandbox: ${box.name} (${reused ? 'there already' : 'created'}; it stays until \`pocketdock shutdown ${box.name}\`)`);
  const r = await box.run(['sh', '-c', 'echo "hello from $(hostname), $(uname -sr)"'], { timeoutMs: 60_000 });
  const output = r.stdout.trim();
  if (ctx.out.json) return ctx.out.printJson({ engine: engine.engine, socketPath: engine.socketPath, image, name: box.name, created: !reused, output });
  ctx.out.info(`4. ran a command in it: ${output}`);
  ctx.out.info(`\nNext:\n  pocketdock run ${box.name} -- ls -la /       # a command; exits with its status\n  pocketdock shell ${box.name}                  # an interactive shell\n  pocketdock push ${box.name} ./file /work/file # copy in (pull copies out)\n  pocketdock shutdown ${box.name}               # remove it`);
  ctx.out.line(box.name);
}
