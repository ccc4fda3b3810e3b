import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { tempDir } from '@pocketdock/testkit';
import { extractTo } from '../src/files/host-copy.js';

/** A hand-made archive: what a compromised engine (or a container's own tar) could send. */
async function archive(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink'; linkname?: string; data?: string }>): Promise<Readable> {
  const pack = tar.pack();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) };
      if ((e.type ?? 'file') === 'file') pack.entry(header, e.data ?? '', (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Readable.from([Buffer.concat(chunks)]);
}

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

  it('says so when the archive is empty', async () => {
    await using dir = await tempDir();
    expect(await extractTo(await archive([]), join(dir.path, 'out'))).toBe(false);
  });
});
