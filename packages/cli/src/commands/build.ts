import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { PROFILES } from '../profiles.js';
import type { Profile } from '../profiles.js';
import { startProgress } from '../progress.js';
import { spin } from '../spinner.js';

/** `pocketdock build --json`: one per profile built. */
export interface BuiltRow {
  profile: string;
  image: string;
  id: string;
  rootfsBytes: number;
  durationMs: number;
}

/** The `tools/` of a pocketdock checkout: `--tools`, `$POCKETDOCK_TOOLS_DIR`, else up from here, else up from the bin. */
export function findTools(given: string | undefined, env = process.env, cwd = process.cwd(), bin = process.argv[1]): string {
  const has = (dir: string): boolean => existsSync(join(dir, 'rootfs.sh'));
  const explicit = given ?? env.POCKETDOCK_TOOLS_DIR;
  if (explicit !== undefined) {
    if (has(resolve(explicit))) return resolve(explicit);
    throw new CliError('CLI_TOOLS_NOT_FOUND', `${explicit} has no rootfs.sh`, 'name the tools/ directory of a pocketdock checkout');
  }
  for (let start of [cwd, bin === undefined ? undefined : dirname(resolve(bin))]) {
    while (start !== undefined) {
      if (has(join(start, 'tools'))) return join(start, 'tools');
      const up = dirname(start);
      start = up === start ? undefined : up;
    }
  }
  throw new CliError('CLI_TOOLS_NOT_FOUND', 'no tools/rootfs.sh found here or above, nor above this command', 'run it in a pocketdock checkout, or pass --tools <dir>');
}

function makeRootfs(tools: string, profile: string, out: string, verbose: boolean): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [join(tools, 'rootfs.sh'), profile, out], { stdio: ['ignore', 'ignore', verbose ? 'inherit' : 'pipe'] });
    let tail = '';
    child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
    child.once('error', (err) => fail(new CliError('CLI_BUILD_FAILED', `tools/rootfs.sh ${profile}: ${err.message}`, undefined, { cause: err })));
    child.once('close', (code) =>
      code === 0 ? done() : fail(new CliError('CLI_BUILD_FAILED', `tools/rootfs.sh ${profile} exited ${code}:\n${tail.trimEnd()}`, 'add --verbose to see every step')),
    );
  });
}

/** Imports the tarball with the profile's settings, then tags it (Podman's compat import ignores `tag`). */
async function importRootfs(ctx: Context, engine: EngineClient, file: string, profile: Profile, ref: string): Promise<string> {
  const { splitRef } = await import('@pocketdock/container-sdk');
  const { repo, tag } = splitRef(ref);
  const size = (await stat(file)).size;
  const progress = await startProgress(ctx.out, `import ${profile.name}`, size);
  let id: string | undefined;
  try {
    const body = createReadStream(file).pipe(progress.counter());
    const lines = await engine.jsonLines<{ status?: string; id?: string; error?: string }>({
      method: 'POST',
      path: '/images/create',
      query: { fromSrc: '-', changes: profile.changes },
      body,
      headers: { 'content-type': 'application/x-tar' },
      timeoutMs: 3_600_000,
    });
    for await (const e of lines) {
      if (e.error) throw new CliError('CLI_BUILD_FAILED', `import ${profile.name}: ${e.error}`);
      id ??= [e.status, e.id].find((s) => s !== undefined && /^sha256:[0-9a-f]{64}$/.test(s));
    }
  } finally {
    progress.stop();
  }
  if (id === undefined) throw new CliError('CLI_BUILD_FAILED', `import ${profile.name}: the engine reported no image id`);
  const tagged = await engine.request({ method: 'POST', path: `/images/${id}/tag`, query: { repo, tag } });
  tagged.body.resume();
  if (tagged.status >= 300) {
    await engine.json({ method: 'DELETE', path: `/images/${id}`, query: { force: true } }).catch(() => undefined);
    throw new CliError('CLI_BUILD_FAILED', `tag ${id} as ${ref}: HTTP ${tagged.status}`);
  }
  return id;
}

/** `pocketdock build [profile...]`: each profile's root filesystem (tools/rootfs.sh), imported as its image. */
export async function build(ctx: Context, [names]: unknown[], options: Record<string, unknown>): Promise<void> {
  const wanted = (names as string[]).length > 0 ? (names as string[]) : ['busybox'];
  const chosen = wanted.map((n) => {
    const p = PROFILES.find((x) => x.name === n);
    if (!p) throw new CliError('CLI_UNKNOWN_PROFILE', `no profile ${n}`, `profiles: ${PROFILES.map((x) => x.name).join(', ')} (\`pocketdock profiles\`)`);
    return p;
  });
  const tag = options.tag as string | undefined;
  if (tag !== undefined && chosen.length > 1) throw new CliError('CLI_INVALID_ARGUMENT', '--tag names one image: build one profile with it');
  if (tag !== undefined) {
    const { isImageRef } = await import('@pocketdock/container-sdk');
    if (!isImageRef(tag)) throw new CliError('CLI_INVALID_ARGUMENT', `--tag ${options.tag as string}: not an image reference`, 'use lower case repo[:tag]');
  }
  const tools = findTools(options.tools as string | undefined);
  const engine = await ctx.engine();
  const built: BuiltRow[] = [];
  const work = await mkdtemp(join(tmpdir(), 'pocketdock-build-'));
  try {
    for (const p of chosen) {
      const started = performance.now();
      const ref = tag ?? p.image;
      const file = join(work, `${p.name}.tar`);
      ctx.out.info(`${p.name}: making the root filesystem${p.slow ? ' (the first time takes minutes; cached after)' : ''}`);
      // --verbose: the script's own output goes to the terminal, so no spinner under it
      const making = (): Promise<void> => makeRootfs(tools, p.name, file, ctx.out.verboseOn);
      await (ctx.out.verboseOn ? making() : spin(ctx.out, `${p.name}: making the root filesystem`, making));
      const rootfsBytes = (await stat(file)).size;
      const id = await importRootfs(ctx, engine, file, p, ref);
      await rm(file, { force: true });
      built.push({ profile: p.name, image: ref, id, rootfsBytes, durationMs: Math.round(performance.now() - started) });
      ctx.out.info(`${p.name}: ${ref} (${id.replace(/^sha256:/, '').slice(0, 12)}) in ${built.at(-1)!.durationMs} ms`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (ctx.out.json) ctx.out.printJson(built);
  else for (const b of built) ctx.out.line(b.image);
}
