import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '../../..');

interface Manifest {
  name: string;
  version: string;
  files?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  private?: boolean;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'src/index.ts')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest }));

// Every package is publishable on its own: pack it as npm would publish it, install the tarball into a bare
// consumer, and load it from CommonJS, from ES modules and from TypeScript (NodeNext, both module kinds).
describe('published packages', () => {
  let work: string;
  const tarballs = new Map<string, string>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pocketdock-pack-'));
    for (const { dir, manifest } of packages) {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: join(root, 'packages', dir) });
      const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
      tarballs.set(manifest.name, join(work, info!.filename));
    }
  }, 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Where the workspace resolves `dep` for the package in `fromDir`: its own nested copy first, then the root's. */
  function installedDir(dep: string, fromDir: string): string {
    const nested = join(fromDir, 'node_modules', dep);
    return existsSync(nested) ? nested : join(root, 'node_modules', dep);
  }

  /**
   * A consumer folder with `name` (and its @pocketdock dependencies) unpacked from tarballs, the rest linked to the
   * very copy the workspace resolves for that package (a root copy may be another major version).
   */
  async function consumer(name: string): Promise<string> {
    const dir = join(work, `consumer-${name.replace(/\W/g, '_')}`);
    const dirOf = new Map(packages.map((p) => [p.manifest.name, join(root, 'packages', p.dir)]));
    const install = async (pkg: string, fromDir: string): Promise<void> => {
      const target = join(dir, 'node_modules', pkg);
      if (existsSync(target)) return;
      const tarball = tarballs.get(pkg);
      await mkdir(join(target, '..'), { recursive: true });
      if (!tarball) {
        await symlink(installedDir(pkg, fromDir), target);
        return;
      }
      await mkdir(target, { recursive: true });
      await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
      const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as Manifest;
      for (const dep of Object.keys(manifest.dependencies ?? {})) await install(dep, dirOf.get(pkg)!);
    };
    await install(name, dirOf.get(name)!);
    await symlink(join(root, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
    return dir;
  }

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s', async (name, { manifest }) => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.engines?.node).toBe('>=20.18');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist']));
    expect(manifest.private).toBeUndefined();

    const { stdout: listing } = await run('tar', ['-tzf', tarballs.get(name)!]);
    const files = listing.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/dist/cjs/index.js', 'package/dist/esm/index.js']));
    expect(files.filter((f) => /^package\/(src|test|bench)\//.test(f))).toEqual([]);

    const dir = await consumer(name);
    const { stdout: cjs } = await run('node', ['-e', `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`], { cwd: dir });
    const { stdout: esm } = await run(
      'node',
      ['--input-type=module', '-e', `const m = await import('${name}'); console.log(JSON.stringify(Object.keys(m).sort()))`],
      { cwd: dir },
    );
    const cjsKeys = JSON.parse(cjs) as string[];
    expect(cjsKeys.length).toBeGreaterThan(0);
    expect(JSON.parse(esm)).toEqual(cjsKeys);

    // Types resolve for both kinds of TypeScript consumer.
    const probe = `import * as m from '${name}';\nexport const names: string[] = Object.keys(m);\n`;
    await writeFile(join(dir, 'esm.mts'), probe);
    await writeFile(join(dir, 'cjs.cts'), probe);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'] }, files: ['esm.mts', 'cjs.cts'] }),
    );
    await run(join(root, 'node_modules/.bin/tsc'), ['-p', dir]).catch((err: { stdout?: string }) => {
      throw new Error(`types do not resolve for ${name}:\n${err.stdout ?? JSON.stringify(err)}`);
    });
  });
});
