// Build one package to dist/esm (ES modules) and dist/cjs (CommonJS), each with its own declarations, so both
// `import` and `require` consumers get matching code and types.
//
//   node tools/build-package.mjs packages/<name>
//
// Uses the TypeScript API with tools/tsconfig.{esm,cjs}.json, so packages carry no build configs of their own.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const pkgDir = resolve(process.argv[2] ?? '.');
const srcDir = join(pkgDir, 'src');
const dist = join(pkgDir, 'dist');

function build(configFile, outDir) {
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  config.include = [join(srcDir, '**/*.ts')];
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, pkgDir, { rootDir: srcDir, outDir }, configFile);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics, ...parsed.errors];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
build(join(root, 'tools/tsconfig.esm.json'), join(dist, 'esm'));
build(join(root, 'tools/tsconfig.cjs.json'), join(dist, 'cjs'));
// Each half states its own module format, whatever the package's "type" says.
mkdirSync(join(dist, 'cjs'), { recursive: true });
writeFileSync(join(dist, 'esm/package.json'), '{ "type": "module" }\n');
writeFileSync(join(dist, 'cjs/package.json'), '{ "type": "commonjs" }\n');
