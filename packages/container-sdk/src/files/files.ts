import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import { containerPath, getArchive } from './archive.js';
import { discard } from './tar-io.js';
import { below, components, nameKey } from './tar-names.js';
import { TarReader } from './tar-read.js';

export { readFile, readFileStream } from './read-file.js';
export type { ReadFileOptions } from './read-file.js';
export { writeFile } from './write-file.js';
export type { WriteFileOptions } from './write-file.js';

/** One entry of `listFiles()`. */
export interface FileEntry {
  /** The name, decoded as UTF-8 (a byte that is not valid UTF-8 shows as U+FFFD: `nameBytes` tells such names apart). */
  name: string;
  /** The name's exact bytes. */
  nameBytes: Buffer;
  /** A hard link to a file is a `'file'` (with that file's size). */
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: Date;
}

/** The entries directly inside the directory at `path` (not recursive), sorted by name (bytewise). */
export async function listFiles(engine: EngineClient, id: string, path: string): Promise<FileEntry[]> {
  const dir = containerPath(path, 'listFiles');
  const what = `listFiles ${dir}`;
  const { stat: st, body } = await getArchive(engine, id, dir, what);
  if (st && st.type !== 'directory') {
    discard(body);
    throw new ContainerError('FILE_NOT_A_DIRECTORY', `listFiles: ${dir} is not a directory`);
  }
  const reader = new TarReader(body, what, (err) => containerError(err, what));
  const entries: FileEntry[] = [];
  const files = new Map<string, { size: number }>(); // what a hard link further on may name
  try {
    const first = await reader.next();
    const root = first && components(first.name);
    if (!root) return entries;
    for (let header = await reader.next(); header; header = await reader.next()) {
      const rel = below(root, header.name);
      if (!rel || rel.length === 0) continue;
      if (header.type === 'file') files.set(nameKey(header.name)!, { size: header.size });
      if (rel.length !== 1) continue;
      const target = header.type === 'link' ? files.get(nameKey(header.linkname) ?? '') : undefined;
      const type = header.type === 'file' || target ? 'file' : header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : 'other';
      entries.push({ name: rel[0]!.toString('utf8'), nameBytes: Buffer.from(rel[0]!), type, size: target?.size ?? header.size, mode: header.mode, mtime: header.mtime });
    }
  } finally {
    reader.close();
  }
  return entries.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
}
