import { lstat, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { extractTo } from '../src/files/extract.js';
import { SMALL_FILE_BYTES } from '../src/files/host-writes.js';
import { archive, rawHeader, streamOf } from './tar-fixtures.js';
import type { FixtureEntry } from './tar-fixtures.js';

// Small files are written in the background, several at once, made in place (with their final mode) in the
// directories the extraction made: every file must still come out whole, with its mode and mtime, under any umask.
const modeOf = async (path: string): Promise<number> => (await lstat(path)).mode & 0o7777;

function tree(dirs: number, files: number, mode: (i: number) => number): FixtureEntry[] {
  const entries: FixtureEntry[] = [{ name: 'item', type: 'directory', mode: 0o755 }];
  for (let d = 0; d < dirs; d++) {
    entries.push({ name: `item/d${d}`, type: 'directory', mode: 0o750 });
    for (let f = 0; f < files; f++) entries.push({ name: `item/d${d}/f${f}`, data: `content of ${d}/${f}`.repeat(f + 1), mode: mode(f) });
  }
  return entries;
}

describe('pull extraction of many small files', () => {
  const modes = [0o644, 0o666, 0o600, 0o755, 0o444, 0o777, 0o640, 0o400];

  it.each([0o022, 0o077, 0o000])('writes every file whole with its own mode under umask %o', async (umask) => {
    await using dir = await tempDir();
    const before = process.umask(umask);
    try {
      await extractTo(await archive(tree(4, 40, (f) => modes[f % modes.length]!)), join(dir.path, 'out'));
    } finally {
      process.umask(before);
    }
    for (let d = 0; d < 4; d++) {
      expect((await readdir(join(dir.path, 'out', `d${d}`))).length).toBe(40);
      expect(await modeOf(join(dir.path, 'out', `d${d}`))).toBe(0o750);
      for (let f = 0; f < 40; f++) {
        const path = join(dir.path, 'out', `d${d}`, `f${f}`);
        expect([await readFile(path, 'utf8'), await modeOf(path)]).toEqual([`content of ${d}/${f}`.repeat(f + 1), modes[f % modes.length]]);
      }
    }
  });

  it('keeps each file\'s mtime, and writes files at and past the small-file bound alike', async () => {
    await using dir = await tempDir();
    // By hand (tar-stream's packer cannot hold a file this big for the fixtures): mtime 0 in every header.
    const entry = (name: string, flag: string, data = Buffer.alloc(0)): Buffer =>
      Buffer.concat([rawHeader({ name, flag, sizeField: `${data.length.toString(8).padStart(11, '0')}`, mode: 0o640 }), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
    const big = Buffer.alloc(SMALL_FILE_BYTES + 1, 7);
    const edge = Buffer.alloc(SMALL_FILE_BYTES, 8);
    const bytes = Buffer.concat([entry('item', '5'), entry('item/a', '0', Buffer.from('a')), entry('item/edge', '0', edge), entry('item/big', '0', big), entry('item/z', '0'), Buffer.alloc(1024)]);
    await extractTo(streamOf(bytes), join(dir.path, 'out'));
    expect(await readFile(join(dir.path, 'out/edge'))).toEqual(edge);
    expect(await readFile(join(dir.path, 'out/big'))).toEqual(big);
    expect(await readFile(join(dir.path, 'out/z'), 'utf8')).toBe('');
    for (const name of ['a', 'edge', 'big', 'z']) {
      const st = await stat(join(dir.path, 'out', name));
      expect([name, st.mtimeMs, st.mode & 0o7777]).toEqual([name, 0, 0o640]);
    }
  });

  it('replaces the files of a directory that was there already (under temp names, none left), leaving the others', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out');
    await mkdir(join(out, 'd0'), { recursive: true });
    await writeFile(join(out, 'd0', 'f1'), 'old, and longer than the new content');
    await writeFile(join(out, 'd0', 'mine'), 'not in the archive');
    await extractTo(await archive(tree(1, 3, () => 0o640)), out);
    expect((await readdir(join(out, 'd0'))).sort()).toEqual(['f0', 'f1', 'f2', 'mine']);
    expect(await readFile(join(out, 'd0', 'f1'), 'utf8')).toBe('content of 0/1content of 0/1');
    expect(await modeOf(join(out, 'd0', 'f1'))).toBe(0o640);
  });

  it('a write that fails in the background fails the extraction with its error', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out');
    await mkdir(join(out, 'd0', 'f1'), { recursive: true }); // a directory where a small file goes
    await expect(extractTo(await archive(tree(1, 3, () => 0o644)), out)).rejects.toMatchObject({ code: 'FILE_IS_DIRECTORY' });
    expect((await readdir(join(out, 'd0'))).filter((n) => n.startsWith('.pocketdock-'))).toEqual([]);
  });
});
