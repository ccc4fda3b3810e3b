// Scaffold a workspace package with the house layout (shared/STYLE.md section 1):
//
//   node tools/new-package.mjs <name> <layer> "<description>" [dep@range ...]
//
// layer: protocol | transport | domain | service | composition. Writes package.json, tsconfig.json, jest.config.cjs
// and src/, test/, bench/ folders; never overwrites an existing file. Run `npm install` afterwards.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [name, layer, description, ...deps] = process.argv.slice(2);
const LAYERS = ['protocol', 'transport', 'domain', 'service', 'composition'];
if (!name || !LAYERS.includes(layer) || !description) {
  console.error('usage: node tools/new-package.mjs <name> <protocol|transport|domain|service|composition> "<description>" [dep@range ...]');
  process.exit(2);
}
const dir = resolve(import.meta.dirname, '../packages', name);
const dependencies = Object.fromEntries(
  deps.map((d) => {
    const at = d.lastIndexOf('@');
    return at > 0 ? [d.slice(0, at), d.slice(at + 1)] : [d, '*'];
  }),
);

const files = {
  'package.json': JSON.stringify(
    {
      name: `@pocketdock/${name}`,
      version: '0.1.0',
      description,
      license: 'MIT',
      type: 'module',
      main: './dist/cjs/index.js',
      module: './dist/esm/index.js',
      types: './dist/cjs/index.d.ts',
      exports: {
        '.': {
          '@pocketdock/source': './src/index.ts',
          import: { types: './dist/esm/index.d.ts', default: './dist/esm/index.js' },
          require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
        },
        './package.json': './package.json',
      },
      files: ['dist', 'README.md'],
      sideEffects: false,
      engines: { node: '>=20.18' },
      ...(deps.length > 0 ? { dependencies } : {}),
      nx: {
        tags: [`layer:${layer}`],
        targets: { build: {}, typecheck: {}, lint: {}, test: {}, bench: {} },
      },
    },
    null,
    2,
  ),
  'tsconfig.json': JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { noEmit: true, types: ['node', 'jest'] },
      include: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    },
    null,
    2,
  ),
  'jest.config.cjs': "module.exports = require('../../tools/jest.preset.cjs')(__dirname, { integration: true });",
};

for (const sub of ['src', 'test', 'bench']) mkdirSync(join(dir, sub), { recursive: true });
for (const [file, content] of Object.entries(files)) {
  const path = join(dir, file);
  if (existsSync(path)) console.log(`kept     ${path}`);
  else {
    writeFileSync(path, content + '\n');
    console.log(`created  ${path}`);
  }
}
