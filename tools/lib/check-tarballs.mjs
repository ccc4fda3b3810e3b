// publint and "Are the Types Wrong?" on packed tarballs, in one process (the attw CLI loads TypeScript anew for
// every tarball: ~12 s each on a loaded machine, ~1 s here after the first).
//
//   node tools/lib/check-tarballs.mjs <tarball.tgz>...
//
// publint: strict, down to suggestions. attw: every resolution mode (node10, node16 from CJS and from ESM, bundler),
// as `attw --profile strict`. Prints each problem; exits 1 when there is any.
import { readFileSync } from 'node:fs';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const problems = [];
for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }, level: 'suggestion', strict: true });
  for (const message of messages) problems.push(`${file}: publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
  const result = await checkPackage(createPackageFromTarballData(new Uint8Array(bytes)));
  if (!result.types) problems.push(`${file}: attw: the package ships no types`);
  for (const problem of result.problems ?? []) problems.push(`${file}: attw ${problem.kind}: ${JSON.stringify(problem)}`);
}
for (const line of problems) process.stdout.write(`${line}\n`);
process.exit(problems.length > 0 ? 1 : 0);
