import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { FlowManagerError } from './errors.js';

/**
 * Resolves `path` (symlinks and `..` included) and checks that it lies under one of `roots`, which are resolved
 * the same way. A path that does not exist, or that escapes every root, is `FM_PATH_NOT_ALLOWED`; `field` names
 * the payload field in the error's details.
 */
export async function allowedPath(path: string, roots: readonly string[], field: string): Promise<string> {
  const refuse = (why: string): FlowManagerError =>
    new FlowManagerError('FM_PATH_NOT_ALLOWED', `${field}: ${path} ${why}`, { details: { field, path, allowed_roots: [...roots] } });
  if (!isAbsolute(path)) throw refuse('is not an absolute path');
  if (roots.length === 0) throw refuse('is refused: no host directories are allowed (configure allowedRoots)');
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw refuse('does not exist');
  }
  for (const root of roots) {
    let realRoot: string;
    try {
      realRoot = await realpath(resolve(root));
    } catch {
      continue; // a root that does not exist allows nothing
    }
    const rel = relative(realRoot, real);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return real;
  }
  throw refuse(`is outside the allowed directories (${roots.join(', ')})`);
}
