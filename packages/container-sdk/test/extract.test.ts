import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir } from '@pocketdock/testkit';
import { extractTo } from '../src/files/extract.js';
import { archive } from './tar-fixtures.js';

describe('pull extraction (hostile archives)', () => {
  it.each([
    ['a .. entry', [{ name: 'item', type: 'directory' as const }, { name: 'item/../../outside.txt', data: 'x' }]],
    ['an entry outside the copied item', [{ name: 'item', type: 'directory' as const }, { name: 'other/file.txt', data: 'x' }]],
    ['a write through a symlink the archive made', [{ name: 'item', type: 'directory' as const }, { name: 'item/link', type: 'symlink' as const, linkname: '/tmp' }, { name: 'item/link/planted.txt', data: 'x' }]],
  ])('refuses %s with FILE_UNSAFE_ARCHIVE and writes nothing outside', async (_label, entries) => {
    await using dir = await tempDir();
    const dest = join(dir.path, 'dest');
    await expect(extractTo(await archive(entries), dest)).rejects.toMatchObject({ code: 'FILE_UNSAFE_ARCHIVE' });
    expect((await readdir(dir.path)).filter((n) => n !== 'dest')).toEqual([]);
  });

  it('extracts a well-formed archive', async () => {
    await using dir = await tempDir();
    const ok = await extractTo(await archive([{ name: 'item', type: 'directory' }, { name: 'item/a.txt', data: 'A' }]), join(dir.path, 'out'));
    expect(ok).toBe(true);
    expect(await readdir(join(dir.path, 'out'))).toEqual(['a.txt']);
  });

  it('replaces an existing file whole, and a symlink at the destination instead of writing through it', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out');
    await mkdir(out);
    await writeFile(join(out, 'a.txt'), 'old content, longer than the new one');
    await writeFile(join(dir.path, 'victim.txt'), 'untouched');
    await symlink(join(dir.path, 'victim.txt'), join(out, 'b.txt'));
    const entries = [{ name: 'item', type: 'directory' as const }, { name: 'item/a.txt', data: 'A' }, { name: 'item/b.txt', data: 'B' }];
    await extractTo(await archive(entries), out);
    expect([await readFile(join(out, 'a.txt'), 'utf8'), await readFile(join(out, 'b.txt'), 'utf8')]).toEqual(['A', 'B']);
    expect((await lstat(join(out, 'b.txt'))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(dir.path, 'victim.txt'), 'utf8')).toBe('untouched');
    expect((await readdir(out)).sort()).toEqual(['a.txt', 'b.txt']); // no temp name left
  });

  it('a pull again over its own result replaces symlinks too (no EEXIST)', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out');
    const entries = [{ name: 'item', type: 'directory' as const }, { name: 'item/link', type: 'symlink' as const, linkname: 'a.txt' }];
    await extractTo(await archive(entries), out);
    await extractTo(await archive(entries), out);
    expect(await readlink(join(out, 'link'))).toBe('a.txt');
  });

  it('a transfer cut in the middle of a file leaves the existing file as it was, and no temp file', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out');
    await mkdir(out);
    await writeFile(join(out, 'big.bin'), 'the previous version');
    const whole = await archive([{ name: 'item', type: 'directory' }, { name: 'item/big.bin', data: 'x'.repeat(12_000) }]);
    const bytes = Buffer.concat(await whole.toArray());
    let sent = false;
    const cut = new Readable({
      read() {
        if (sent) return;
        sent = true;
        this.push(bytes.subarray(0, 6_000)); // the headers and part of the content, then the connection dies
        setTimeout(() => this.destroy(new Error('connection lost')), 20);
      },
    });
    await expect(extractTo(cut, out)).rejects.toThrow();
    expect(await readFile(join(out, 'big.bin'), 'utf8')).toBe('the previous version');
    expect(await readdir(out)).toEqual(['big.bin']);
  });

  it('says so when the archive is empty', async () => {
    await using dir = await tempDir();
    expect(await extractTo(await archive([]), join(dir.path, 'out'))).toBe(false);
  });
});
