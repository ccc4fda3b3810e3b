// Stage a workspace package and its production dependencies as a flat node_modules directory, for an image
// (tools/flow-image.sh). Build the workspace packages first: they are copied as package.json + dist/ only.
//
//   node tools/lib/stage-node-modules.mjs <out-dir> <@pocketdock/name>...
//
// - Workspace packages (@pocketdock/<name>) come from packages/<name>.
// - External packages are copied whole (their nested node_modules included) from the root node_modules.
// - `dependencies` are followed recursively, resolved as Node would from the package that needs them;
//   `optionalDependencies` (e.g. msgpackr-extract, which msgpackr can do without) are skipped.
// - A dependency that resolves anywhere else (e.g. packages/<name>/node_modules, where npm puts a version that
//   conflicts with the root's) is an error: a flat directory cannot hold both versions.
//
// Prints one line per staged package ("name@version") on stdout.
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = realpathSync(resolve(import.meta.dirname, '../..'));
const rootModules = join(root, 'node_modules');
const [outDir, ...wanted] = process.argv.slice(2);
if (!outDir || wanted.length === 0) {
  process.stderr.write('usage: node tools/lib/stage-node-modules.mjs <out-dir> <@pocketdock/name>...\n');
  process.exit(2);
}

const fail = (message) => {
  process.stderr.write(`stage-node-modules: ${message}\n`);
  process.exit(1);
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const isInside = (dir, parent) => dir === parent || dir.startsWith(parent + sep);

const staged = []; // "name@version", in the order staged
const visited = new Set(); // real directories already walked
const copiedTrees = []; // real directories copied whole: anything inside them is staged with them

/** The directory Node would load `name` from, for code in `fromDir` (or undefined). */
function resolveFrom(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

function walk(dir, pkg) {
  if (visited.has(dir)) return;
  visited.add(dir);
  const optional = new Set(Object.keys(pkg.optionalDependencies ?? {}));
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (optional.has(dep)) continue;
    if (dep.startsWith('@pocketdock/')) {
      stageWorkspace(dep);
      continue;
    }
    const found = resolveFrom(dep, dir);
    if (!found) fail(`${pkg.name} needs ${dep}, which is not installed (run npm ci)`);
    if (copiedTrees.some((tree) => isInside(found, tree))) {
      walk(found, readJson(join(found, 'package.json'))); // staged with the tree around it
    } else if (existsSync(join(rootModules, dep)) && found === realpathSync(join(rootModules, dep))) {
      stageExternal(dep, found);
    } else {
      fail(`${pkg.name} needs ${dep} from ${relative(root, found)}, not the root node_modules (two versions of ${dep}?)`);
    }
  }
}

function stageWorkspace(name) {
  const dir = join(root, 'packages', name.slice('@pocketdock/'.length));
  if (visited.has(dir)) return;
  if (!existsSync(join(dir, 'package.json'))) fail(`${name}: no ${relative(root, dir)}/package.json`);
  const pkg = readJson(join(dir, 'package.json'));
  if (pkg.name !== name) fail(`${relative(root, dir)} is ${pkg.name}, not ${name}`);
  if (!existsSync(join(dir, 'dist'))) fail(`${name} has no dist/: build it first`);
  const dest = join(outDir, name);
  mkdirSync(dest, { recursive: true });
  cpSync(join(dir, 'package.json'), join(dest, 'package.json'));
  cpSync(join(dir, 'dist'), join(dest, 'dist'), { recursive: true });
  staged.push(`${name}@${pkg.version}`);
  walk(dir, pkg);
}

function stageExternal(name, dir) {
  if (visited.has(dir)) return;
  const pkg = readJson(join(dir, 'package.json'));
  // verbatimSymlinks: keep relative links (node_modules/.bin) relative instead of pointing them at this machine.
  cpSync(dir, join(outDir, name), { recursive: true, verbatimSymlinks: true });
  copiedTrees.push(dir);
  staged.push(`${name}@${pkg.version}`);
  walk(dir, pkg);
}

mkdirSync(outDir, { recursive: true });
for (const name of wanted) {
  if (!name.startsWith('@pocketdock/')) fail(`${name}: only workspace packages (@pocketdock/*) can be staged`);
  stageWorkspace(name);
}
process.stdout.write(`${staged.join('\n')}\n`);
