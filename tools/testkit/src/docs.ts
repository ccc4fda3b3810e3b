import { readFileSync } from 'node:fs';

/**
 * The codes from `codes` that the README at `readmePath` does not mention as `` `CODE` ``. A package's error codes
 * are part of its API: a test of each package asserts this list is empty (fastify does the same).
 */
export function undocumentedCodes(readmePath: string, codes: readonly string[]): string[] {
  const readme = readFileSync(readmePath, 'utf8');
  return codes.filter((code) => !readme.includes(`\`${code}\``));
}
