// Stage packages for publishing, and pack them: what goes to the registry is built here, never packed straight
// from packages/<name>, so the workspace keeps its own resolution (the "@pocketdock/source" condition, exact sibling
// versions, the nx block) while the published package.json, README and source maps are right for a consumer.
//
//   node tools/pack.mjs [--pack <dir>] [packages/<name>...]     (default: every package under packages/)
//
// For each package (built first: `nx build` / tools/build-package.mjs) it writes dist/publish/packages/<name>/ with:
// - package.json without the "@pocketdock/source" export condition, the nx block, devDependencies and scripts;
//   sibling @pocketdock/* dependencies as a caret range of the sibling's current version (^0.1.0, not 0.1.0);
//   repository/homepage/bugs/publishConfig must be in the source package.json (checked here, not invented).
// - the files its "files" lists, plus the root LICENSE;
// - README.md with every relative link made absolute (the registry page has no ../../docs);
// - JavaScript source maps carrying their TypeScript in sourcesContent (src/ is not shipped), and no declaration
//   maps (they could only point at that unshipped src/).
// `nx release publish` publishes from these directories (nx.json: nx-release-publish packageRoot).
// With --pack <dir>, each staged directory is also packed (`npm pack`) into <dir>; the tarball paths are printed
// as JSON ({ "<name>": "<path>" }) on stdout.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rootManifest = readJson(join(root, 'package.json'));
const repoUrl = rootManifest.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
const branch = 'main';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function fail(message) {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(1);
}

/** Every package directory under packages/ (one with a package.json and a src/index.ts). */
export function packageDirs() {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src/index.ts')));
}

/** The exports map without the workspace-only "@pocketdock/source" condition, at any depth. */
function withoutSourceCondition(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '@pocketdock/source')
      .map(([key, inner]) => [key, withoutSourceCondition(inner)]),
  );
}

/** The manifest a consumer gets. `versions` maps each workspace package name to its current version. */
export function publishedManifest(manifest, versions) {
  const { nx: _nx, devDependencies: _dev, scripts: _scripts, ...kept } = manifest;
  for (const field of ['repository', 'homepage', 'bugs', 'license']) {
    if (!kept[field]) fail(`${manifest.name}: package.json has no "${field}"`);
  }
  if (kept.publishConfig?.access !== 'public') fail(`${manifest.name}: package.json needs "publishConfig": { "access": "public" }`);
  kept.exports = withoutSourceCondition(kept.exports);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    if (!kept[field]) continue;
    kept[field] = Object.fromEntries(
      Object.entries(kept[field]).map(([dep, range]) => {
        const sibling = versions.get(dep);
        if (!sibling) return [dep, range];
        if (range !== sibling && range !== `^${sibling}`) fail(`${manifest.name}: ${dep}@${range} but the workspace has ${sibling}`);
        return [dep, `^${sibling}`];
      }),
    );
  }
  return kept;
}

/** README links relative to `fromDir` (in the repository) made absolute URLs on the repository's web page. */
export function absoluteLinks(markdown, fromDir) {
  const rewrite = (target) => {
    if (/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target)) return target; // a URL, an anchor on the same page
    const [path, anchor] = target.split(/(?=#)/);
    const inRepo = relative(root, resolve(fromDir, path)).split('\\').join('/');
    if (inRepo.startsWith('..')) fail(`README link outside the repository: ${target}`);
    const kind = existsSync(join(root, inRepo)) && statSync(join(root, inRepo)).isDirectory() ? 'tree' : 'blob';
    return `${repoUrl}/${kind}/${branch}/${inRepo}${anchor ?? ''}`;
  };
  return markdown
    .replace(/(\]\()([^)\s]+)(\s+"[^"]*")?\)/g, (_m, open, target, title = '') => `${open}${rewrite(target)}${title})`)
    .replace(/^(\[[^\]]+\]:\s*)(\S+)/gm, (_m, label, target) => `${label}${rewrite(target)}`);
}

function walk(dir, visit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else visit(path);
  }
}

/** Source maps in `stagedDist` made self-contained: sourcesContent from the sources next to `builtDist`. */
function fixMaps(stagedDist, builtDist) {
  walk(stagedDist, (file) => {
    if (file.endsWith('.d.ts.map') || file.endsWith('.d.cts.map') || file.endsWith('.d.mts.map')) {
      rmSync(file);
      return;
    }
    if (/\.d\.[cm]?ts$/.test(file)) {
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace(/\n?\/\/# sourceMappingURL=\S+\.d\.[cm]?ts\.map\s*$/, '\n'));
      return;
    }
    if (!file.endsWith('.js.map')) return;
    const map = readJson(file);
    const builtDir = dirname(join(builtDist, relative(stagedDist, file)));
    map.sourcesContent = map.sources.map((source) => {
      const path = resolve(builtDir, map.sourceRoot ?? '', source);
      if (!existsSync(path)) fail(`${file}: source ${source} not found at ${path}`);
      return readFileSync(path, 'utf8');
    });
    writeFileSync(file, JSON.stringify(map));
  });
}

/** Stage one package into dist/publish/<its path in the repo>; returns that directory. */
export function stage(pkgDir, versions) {
  const manifest = readJson(join(pkgDir, 'package.json'));
  for (const entry of ['README.md', 'dist/esm/index.js', 'dist/cjs/index.js']) {
    if (!existsSync(join(pkgDir, entry))) fail(`${manifest.name}: ${entry} missing${entry.startsWith('dist') ? `: build it first (npx nx build ${manifest.name})` : ''}`);
  }
  const out = join(root, 'dist/publish', relative(root, pkgDir));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const entry of manifest.files ?? fail(`${manifest.name}: package.json has no "files"`)) {
    if (entry === 'README.md' || entry === 'LICENSE') continue;
    if (!existsSync(join(pkgDir, entry))) fail(`${manifest.name}: "files" names ${entry}, which does not exist`);
    cpSync(join(pkgDir, entry), join(out, entry), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  }
  if (existsSync(join(out, 'dist'))) fixMaps(join(out, 'dist'), join(pkgDir, 'dist'));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(publishedManifest(manifest, versions), null, 2)}\n`);
  writeFileSync(join(out, 'README.md'), absoluteLinks(readFileSync(join(pkgDir, 'README.md'), 'utf8'), pkgDir));
  cpSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
  return out;
}

function main(argv) {
  let packInto;
  const dirs = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--pack') packInto = resolve(argv[++i] ?? fail('--pack needs a directory'));
    else dirs.push(resolve(argv[i]));
  }
  if (!repoUrl) fail('the root package.json has no repository.url');
  const all = packageDirs();
  const versions = new Map(all.map((dir) => readJson(join(dir, 'package.json'))).map((m) => [m.name, m.version]));
  const staged = (dirs.length > 0 ? dirs : all).map((dir) => {
    const out = stage(dir, versions);
    process.stderr.write(`pack: staged ${relative(root, out)}\n`);
    return out;
  });
  const tarballs = {};
  if (packInto) {
    // One npm process for all of them: npm's start-up is most of the time of a pack.
    mkdirSync(packInto, { recursive: true });
    const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', packInto, ...staged], { cwd: packInto, encoding: 'utf8' });
    for (const info of JSON.parse(stdout)) tarballs[info.name] = join(packInto, basename(info.filename));
  }
  if (packInto) process.stdout.write(`${JSON.stringify(tarballs, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main(process.argv.slice(2));
