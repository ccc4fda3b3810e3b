import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '../../..');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

interface Manifest {
  name: string;
  version: string;
  files?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  private?: boolean;
  nx?: unknown;
  bin?: Record<string, string>;
  repository?: { url?: string; directory?: string };
  publishConfig?: { access?: string };
}

const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'src/index.ts')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest }));
const names = packages.map((p) => p.manifest.name);

/** A fresh project of its own module kind, in `dir`. */
async function project(dir: string, type: 'module' | 'commonjs'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
}

/** A program that loads every package and prints { name: sorted export names | { error } } as JSON. */
function loader(kind: 'import' | 'require'): string {
  const load = kind === 'import' ? 'await import(name)' : 'require(name)';
  const body = `for (const name of ${JSON.stringify(names)}) {
  try { out[name] = Object.keys(${load}).sort(); } catch (err) { out[name] = { error: String(err) }; }
}`;
  return kind === 'import'
    ? `const out = {};\n${body}\nconsole.log(JSON.stringify(out));\n`
    : `const out = {};\n(async () => {\n${body}\nconsole.log(JSON.stringify(out));\n})();\n`;
}

/** Something real with the installed code: a message through ipc-core's codec, a frame through stream-demux. */
const roundTrip = `
const { MessageCodec, createMessage } = ipc;
const codec = new MessageCodec();
const decoded = codec.decode(codec.encode(createMessage('probe', { n: 1 })).subarray(4));
const frame = demux.encodeFrame('stdout', Buffer.from('hi'));
if (decoded.data.n !== 1 || frame.length !== demux.HEADER_BYTES + 2) throw new Error('round trip failed');
console.log('round trip ok');
`;

// Every package as a consumer gets it: staged by tools/pack.mjs, packed, installed with npm (third-party dependencies
// from the registry, cache first) outside the repository, then loaded and run from fresh ES module, CommonJS and
// TypeScript projects. One `npm install` serves the three (they sit in its folder and resolve its node_modules): npm
// is most of this test's time. publint and attw judge every tarball.
describe('published packages', () => {
  let work: string;
  let tarballs: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pocketdock-pack-'));
    const { stdout } = await run('node', [join(root, 'tools/pack.mjs'), '--pack', join(work, 'tarballs')], { cwd: root });
    tarballs = JSON.parse(stdout) as Record<string, string>;
    await writeFile(join(work, 'package.json'), JSON.stringify({ name: 'consumers', private: true }));
    const install = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...Object.values(tarballs), '@types/node@20'];
    await run('npm', install, { cwd: work, maxBuffer: 1 << 24 });
    await Promise.all([project(join(work, 'esm'), 'module'), project(join(work, 'cjs'), 'commonjs'), project(join(work, 'ts'), 'module')]);
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s: the tarball is what a consumer should get', async (name, { dir, manifest }) => {
    expect(Object.keys(tarballs)).toContain(name);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.engines?.node).toBe('>=20.18');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist']));
    expect(manifest.private).toBeUndefined();

    const { stdout: listing } = await run('tar', ['-tzf', tarballs[name]!]);
    const files = listing.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/cjs/index.js', 'package/dist/esm/index.js']));
    expect(files.filter((f) => /^package\/(src|test|bench)\//.test(f) || f.endsWith('.d.ts.map'))).toEqual([]);

    const installed = join(work, 'node_modules', name);
    const published = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Manifest;
    expect(JSON.stringify(published.exports)).not.toContain('@pocketdock/source');
    expect(published.nx).toBeUndefined();
    expect(published.repository).toEqual(expect.objectContaining({ url: expect.stringMatching(/^git\+https:\/\//), directory: `packages/${dir}` }));
    expect(published.publishConfig?.access).toBe('public');
    for (const [dep, range] of Object.entries(published.dependencies ?? {})) {
      if (dep.startsWith('@pocketdock/')) expect(range).toMatch(/^\^\d+\.\d+\.\d+/);
    }
    // Source maps carry their TypeScript (src/ is not shipped); README links work on the registry page.
    const map = JSON.parse(await readFile(join(installed, 'dist/esm/index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent).toHaveLength(map.sources.length);
    const readme = await readFile(join(installed, 'README.md'), 'utf8');
    expect(readme.match(/\]\((?!https?:|#|mailto:)[^)]*\)/g) ?? []).toEqual([]);
  });

  it('every package loads in a fresh ES module project and a fresh CommonJS one, with the same exports', async () => {
    await writeFile(join(work, 'esm/load.mjs'), loader('import'));
    await writeFile(join(work, 'cjs/load.cjs'), loader('require'));
    const esm = JSON.parse((await run('node', ['load.mjs'], { cwd: join(work, 'esm') })).stdout) as Record<string, unknown>;
    const cjs = JSON.parse((await run('node', ['load.cjs'], { cwd: join(work, 'cjs') })).stdout) as Record<string, unknown>;
    for (const name of names) {
      expect([name, esm[name]]).toEqual([name, expect.arrayContaining([expect.any(String)])]);
      expect([name, cjs[name]]).toEqual([name, esm[name]]);
    }
    await writeFile(join(work, 'esm/run.mjs'), `import * as ipc from '@pocketdock/ipc-core';\nimport * as demux from '@pocketdock/stream-demux';\n${roundTrip}`);
    await writeFile(join(work, 'cjs/run.cjs'), `const ipc = require('@pocketdock/ipc-core');\nconst demux = require('@pocketdock/stream-demux');\n${roundTrip}`);
    expect((await run('node', ['run.mjs'], { cwd: join(work, 'esm') })).stdout).toBe('round trip ok\n');
    expect((await run('node', ['run.cjs'], { cwd: join(work, 'cjs') })).stdout).toBe('round trip ok\n');
  });

  it('the commands run from a fresh project', async () => {
    for (const { manifest } of packages) {
      for (const command of Object.keys(manifest.bin ?? {})) {
        const { stdout } = await run(join(work, 'node_modules/.bin', command), ['--version'], { cwd: join(work, 'esm') });
        expect([command, stdout.trim()]).toEqual([command, expect.stringContaining(manifest.version)]);
      }
    }
  });

  it('types resolve and check in a fresh TypeScript project (NodeNext, ES module and CommonJS files)', async () => {
    const dir = join(work, 'ts');
    const sources: string[] = [];
    for (const [i, name] of names.entries()) {
      const probe = `import * as m from '${name}';\nexport const names: string[] = Object.keys(m);\n`;
      await writeFile(join(dir, `p${i}.mts`), probe);
      await writeFile(join(dir, `p${i}.cts`), probe);
      sources.push(`p${i}.mts`, `p${i}.cts`);
    }
    await writeFile(join(dir, 'run.mts'), `import * as ipc from '@pocketdock/ipc-core';\nimport * as demux from '@pocketdock/stream-demux';\n${roundTrip}`);
    const compilerOptions = { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'], target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'] };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...sources, 'run.mts'] }));
    await run(bin('tsc'), ['-p', dir]).catch((err: { stdout?: string }) => {
      throw new Error(`the published types do not check:\n${err.stdout ?? JSON.stringify(err)}`);
    });
    expect((await run('node', ['out/run.mjs'], { cwd: dir })).stdout).toBe('round trip ok\n');
  });

  it('publint and attw find nothing in any tarball', async () => {
    const check = run('node', [join(root, 'tools/lib/check-tarballs.mjs'), ...Object.values(tarballs)], { maxBuffer: 1 << 24 });
    const { stdout } = await check.catch((err: { stdout?: string; message?: string }) => ({ stdout: err.stdout || err.message || 'check-tarballs failed' }));
    expect(stdout.split('\n').filter(Boolean)).toEqual([]);
  }, 120_000);
});
