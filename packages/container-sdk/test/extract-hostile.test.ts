import { access, chmod, lstat, mkdir, readFile, readdir, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir, until } from '@pocketdock/testkit';
import { ContainerError } from '../src/index.js';
import { extractTo } from '../src/files/extract.js';
import { archive, archiveOf, entryBytes, rawHeader, streamOf } from './tar-fixtures.js';
import type { FixtureEntry } from './tar-fixtures.js';

const modeOf = async (path: string): Promise<string> => ((await lstat(path)).mode & 0o7777).toString(8);
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
/** Whether this process has `path` open (a directory handle the extraction holds). */
async function holdsOpen(path: string): Promise<boolean> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.includes(path);
}
const dir = (name: string, mode?: number): FixtureEntry => ({ name, type: 'directory', ...(mode === undefined ? {} : { mode }) });

/** A temp dir holding `victim/` (0755, one file) next to where the tests extract. */
async function scene(): Promise<{ path: string; victim: string; untouched(): Promise<void>; [Symbol.asyncDispose](): Promise<void> }> {
  const t = await tempDir();
  const victim = join(t.path, 'victim');
  await mkdir(victim);
  await chmod(victim, 0o755);
  await writeFile(join(victim, 'keep'), 'keep');
  await chmod(join(victim, 'keep'), 0o644);
  return {
    ...t,
    victim,
    async untouched() {
      expect(await readdir(victim)).toEqual(['keep']);
      expect([await modeOf(victim), await modeOf(join(victim, 'keep')), await readFile(join(victim, 'keep'), 'utf8')]).toEqual(['755', '644', 'keep']);
    },
  };
}

describe.each([
  ['through /proc/self/fd', false],
  ['by path (as without /proc)', true],
])('extraction never follows a symlink already in the destination, %s', (_how, byPath) => {
  it.each([
    ['a directory entry where a symlink is', [dir('item'), dir('item/link', 0o777), { name: 'item/link/p', data: 'X' }]],
    ['a file under a symlink, no directory entry before it', [dir('item'), { name: 'item/link/p', data: 'X' }]],
    ['a symlink deeper down', [dir('item'), dir('item/link'), dir('item/link/deeper'), { name: 'item/link/deeper/p', data: 'X' }]],
    ['a file where a symlink is', [dir('item'), { name: 'item/link', data: 'X', mode: 0o777 }]],
    ['a symlink where a symlink is', [dir('item'), { name: 'item/link', type: 'symlink' as const, linkname: 'elsewhere' }]],
  ])('%s: replaced, the target untouched', async (_label, entries) => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    await mkdir(dest);
    await symlink(s.victim, join(dest, 'link'));
    await extractTo(await archive(entries), dest, { byPath });
    await s.untouched();
    expect((await lstat(join(dest, 'link'))).isSymbolicLink()).toBe(entries.some((e) => e.name === 'item/link' && e.type === 'symlink'));
  });

  it('the destination itself a symlink (to a directory) is replaced, not followed, for a directory and for a file', async () => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    await symlink(s.victim, dest);
    await extractTo(await archive([dir('item', 0o777), { name: 'item/p', data: 'X' }]), dest, { byPath });
    await s.untouched();
    expect((await lstat(dest)).isDirectory()).toBe(true);
    const single = join(s.path, 'single');
    await symlink(join(s.victim, 'keep'), single);
    await extractTo(await archive([{ name: 'single', data: 'new', mode: 0o777 }]), single, { byPath });
    await s.untouched();
    expect(await readFile(single, 'utf8')).toBe('new');
  });
});

describe('extraction through open directories', () => {
  it('a directory swapped for a symlink while the extraction runs: nothing lands in the symlink target', async () => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    const first = await archiveOf([dir('item'), dir('item/d')]);
    const rest = await archiveOf([{ name: 'item/d/p', data: 'X' }, dir('item/d/sub'), { name: 'item/d/sub/q', data: 'Y' }]);
    let stage = 0;
    const body = new Readable({
      read() {
        if (stage === 0) {
          stage = 1;
          this.push(first.subarray(0, first.length - 1024)); // item/ and item/d/ ...
          return;
        }
        if (stage !== 1) return;
        stage = 2;
        // ... once the extraction holds item/d open: swap it for a symlink to the victim, then send the rest
        void (async () => {
          await until(() => exists(join(dest, 'd')), { what: 'item/d to be made', intervalMs: 1 });
          // An extraction that works by path never holds it open: then the swap goes ahead after 2 s all the same.
          await until(() => holdsOpen(join(dest, 'd')), { timeoutMs: 2_000, intervalMs: 1 }).catch(() => undefined);
          await rename(join(dest, 'd'), join(s.path, 'moved-d'));
          await symlink(s.victim, join(dest, 'd'));
          this.push(rest);
          this.push(null);
        })();
      },
    });
    await extractTo(body, dest);
    await s.untouched();
    // the writes went on in the directory the extraction had open, wherever it was moved to
    expect(await readFile(join(s.path, 'moved-d/p'), 'utf8')).toBe('X');
    expect(await readFile(join(s.path, 'moved-d/sub/q'), 'utf8')).toBe('Y');
  });
});

describe('extraction refuses what would escape or overwrite, with FILE_UNSAFE_ARCHIVE', () => {
  it.each([
    ['an absolute name', [dir('item'), { name: '/item/abs', data: 'x' }]],
    ['an absolute first entry', [{ name: '/item', type: 'directory' as const }]],
    ['a .. inside the item', [dir('item'), { name: 'item/a/../../victim/x', data: 'x' }]],
    ['a symlink, then a directory of the same name', [dir('item'), { name: 'item/l', type: 'symlink' as const, linkname: '../victim' }, dir('item/l')]],
    ['a symlink, then a file through it, two levels down', [dir('item'), { name: 'item/l', type: 'symlink' as const, linkname: '../victim' }, { name: 'item/l/a/b', data: 'x' }]],
    ['a file, then a file under it', [dir('item'), { name: 'item/f', data: 'x' }, { name: 'item/f/g', data: 'x' }]],
    ['a name given twice', [dir('item'), { name: 'item/a', data: 'one' }, { name: 'item/a', data: 'two' }]],
    ['a hard link to outside the item', [dir('item'), { name: 'item/h', type: 'link' as const, linkname: 'victim/keep' }]],
    ['a hard link with ..', [dir('item'), { name: 'item/h', type: 'link' as const, linkname: 'item/../../victim/keep' }]],
    ['an absolute hard link', [dir('item'), { name: 'item/h', type: 'link' as const, linkname: '/etc/passwd' }]],
    ['a hard link to a symlink the archive made', [dir('item'), { name: 'item/s', type: 'symlink' as const, linkname: '../victim/keep' }, { name: 'item/h', type: 'link' as const, linkname: 'item/s' }]],
    ['a hard link through a symlink the archive made', [dir('item'), { name: 'item/s', type: 'symlink' as const, linkname: '../victim' }, { name: 'item/h', type: 'link' as const, linkname: 'item/s/keep' }]],
    ['a hard link to a file that comes later', [dir('item'), { name: 'item/h', type: 'link' as const, linkname: 'item/f' }, { name: 'item/f', data: 'x' }]],
    ['a hard link to a directory', [dir('item'), dir('item/d'), { name: 'item/h', type: 'link' as const, linkname: 'item/d' }]],
  ])('%s', async (_label, entries) => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    await expect(extractTo(await archive(entries), dest)).rejects.toMatchObject({ code: 'FILE_UNSAFE_ARCHIVE' });
    await s.untouched();
    expect((await readdir(s.path)).sort()).toEqual(['dest', 'victim'].filter((n) => n === 'victim' || entries[0]!.name === 'item'));
  });
});

describe('extraction keeps what the archive holds, exactly', () => {
  it('hard links within the item become hard links; a name that is not UTF-8 keeps its bytes; none collapse', async () => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    const a = (last: number): Buffer => Buffer.from([0x69, 0x74, 0x65, 0x6d, 0x2f, 0x61, last]); // item/a\xff, item/a\xfe
    await extractTo(await archive([dir('item'), { name: a(0xff), data: 'A' }, { name: a(0xfe), data: 'B' }, { name: 'item/h1', data: 'C' }, dir('item/sub'), { name: 'item/sub/h2', type: 'link', linkname: 'item/h1' }]), dest);
    const names = (await readdir(Buffer.from(dest), { encoding: 'buffer' })).map((n) => n.toString('hex')).sort();
    expect(names).toEqual(['61fe', '61ff', '6831', '737562']);
    expect((await readFile(Buffer.concat([Buffer.from(`${dest}/a`), Buffer.from([0xfe])]))).toString()).toBe('B');
    expect((await stat(join(dest, 'sub/h2'))).ino).toBe((await stat(join(dest, 'h1'))).ino);
  });

  it('clears setuid, setgid and sticky bits unless asked to keep them', async () => {
    await using s = await scene();
    const entries = [dir('item', 0o3775), { name: 'item/tool', data: 'x', mode: 0o4755 }, dir('item/tmp', 0o1777), { name: 'item/g', data: 'x', mode: 0o2711 }];
    await extractTo(await archive(entries), join(s.path, 'plain'));
    expect(await Promise.all(['', '/tool', '/tmp', '/g'].map((p) => modeOf(join(s.path, 'plain') + p)))).toEqual(['775', '755', '777', '711']);
    await extractTo(await archive(entries), join(s.path, 'kept'), { preserveSpecialBits: true });
    expect(await Promise.all(['', '/tool', '/tmp', '/g'].map((p) => modeOf(join(s.path, 'kept') + p)))).toEqual(['3775', '4755', '1777', '2711']);
  });

  it('a read-only directory is filled before it gets its mode', async () => {
    await using s = await scene();
    await extractTo(await archive([dir('item', 0o555), dir('item/ro', 0o500), { name: 'item/ro/f', data: 'x', mode: 0o400 }]), join(s.path, 'out'));
    expect([await modeOf(join(s.path, 'out')), await modeOf(join(s.path, 'out/ro')), await readFile(join(s.path, 'out/ro/f'), 'utf8')]).toEqual(['555', '500', 'x']);
    await chmod(join(s.path, 'out/ro'), 0o700); // let the temp dir go
    await chmod(join(s.path, 'out'), 0o700);
  });
});

describe('a malformed or truncated archive is FILE_INVALID_ARCHIVE, and leaves no temp file', () => {
  const cases: Array<[string, () => Promise<Buffer>]> = [
    ['a size of 1e12 with a few bytes behind it', async () => Buffer.concat([await entryBytes(dir('item')), rawHeader({ name: 'item/big', flag: '0', sizeField: '16432451210000\0'.slice(0, 12) }), Buffer.alloc(4096, 1)])],
    ['a negative (base-256) size', async () => Buffer.concat([await entryBytes(dir('item')), rawHeader({ name: 'item/neg', flag: '0', sizeField: Buffer.alloc(12, 0xff) }), Buffer.alloc(1024)])],
    ['a size that is not a number', async () => Buffer.concat([await entryBytes(dir('item')), rawHeader({ name: 'item/bad', flag: '0', sizeField: '12x4' }), Buffer.alloc(1024)])],
    ['a broken checksum', async () => {
      const bytes = await archiveOf([dir('item'), { name: 'item/f', data: 'x' }]);
      bytes[512 + 10] = bytes[512 + 10]! ^ 0x01;
      return bytes;
    }],
    ['a cut in the middle of a file', async () => (await archiveOf([dir('item'), { name: 'item/f', data: 'y'.repeat(5000) }])).subarray(0, 512 * 4)],
    ['a cut between entries (no end marker)', async () => (await archiveOf([dir('item'), { name: 'item/f', data: 'y' }])).subarray(0, 512 * 3)],
    ['a PAX record that lies about its length', async () => Buffer.concat([rawHeader({ name: 'PaxHeader', flag: 'x', sizeField: '00000000020\0' }), Buffer.from('99 path=item/x\n'.padEnd(512, '\0')), await entryBytes({ name: 'item' }), Buffer.alloc(1024)])],
    ['a PAX path with a NUL byte', async () => Buffer.concat([rawHeader({ name: 'PaxHeader', flag: 'x', sizeField: '00000000020\0' }), Buffer.from('16 path=it\0em/x\n'.padEnd(512, '\0')), await entryBytes({ name: 'item' }), Buffer.alloc(1024)])],
  ];
  it.each(cases)('%s', async (_label, make) => {
    await using s = await scene();
    const dest = join(s.path, 'dest');
    const err = await extractTo(streamOf(await make(), 1000), dest).then(() => undefined, (e: unknown) => e);
    expect(ContainerError.is(err) && err.code).toBe('FILE_INVALID_ARCHIVE');
    const left = (await exists(dest)) && (await lstat(dest)).isDirectory() ? await readdir(dest) : [];
    expect(left.filter((n) => n.endsWith('.part'))).toEqual([]);
    await s.untouched();
  });
});
