import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { rawRequest, tempDir, testEngines } from '@pocketdock/testkit';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** A lazily generated stream of `total` bytes: nothing of it is held in memory at once. */
function generated(total: number): Readable {
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 0xff;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(block.subarray(0, n));
    },
  });
}

describe.each(testEngines())('files on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it.each([
    ['text', Buffer.from('hello\nworld\n')],
    ['unicode', Buffer.from('héllo wörld ✓ 日本 🚀')],
    ['all 256 byte values', ALL_BYTES],
    ['an empty file', Buffer.alloc(0)],
    ['3 MiB of random bytes (many chunks into one buffer)', randomBytes(3 * 1024 * 1024)],
  ])('round-trips %s', async (_label, data) => {
    await c.writeFile('/data/file.bin', data);
    expect((await c.readFile('/data/file.bin')).equals(data)).toBe(true);
  });

  it('overwrites, creates parent directories, and keeps the mode (an executable stays executable)', async () => {
    await c.writeFile('/deep/er/still/run.sh', 'old');
    await c.writeFile('/deep/er/still/run.sh', '#!/bin/sh\necho ran\n', { mode: 0o755 });
    expect((await c.run('/deep/er/still/run.sh')).stdout).toBe('ran\n');
    const [entry] = (await c.listFiles('/deep/er/still')).filter((e) => e.name === 'run.sh');
    expect([entry!.type, entry!.mode.toString(8)]).toEqual(['file', '755']);
  });

  it('streams 256 MiB both ways with bounded memory', async () => {
    // Bounded = what the process keeps, not garbage awaiting collection: V8 collects dead Buffers only once ~64 MiB
    // of external memory has piled up, so a raw RSS peak measures the collector, not us. With --expose-gc (the
    // test target runs Jest with it) the live size is taken after a full collection every 16 MiB, both ways; a
    // transfer that buffered the file would hold hundreds of MiB there.
    const total = 256 * 1024 * 1024;
    const step = 16 * 1024 * 1024;
    const gc = global.gc;
    if (!gc) throw new Error('run Jest with node --expose-gc (the nx test target does)');
    gc();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let sinceCheck = 0;
    const checkpoint = (n: number): void => {
      sinceCheck += n;
      if (sinceCheck < step) return;
      sinceCheck = 0;
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    try {
      const expected = createHash('sha256');
      const source = generated(total).on('data', (chunk: Buffer) => {
        expected.update(chunk);
        checkpoint(chunk.length);
      });
      await c.writeFile('/big.bin', source, { size: total });
      const actual = createHash('sha256');
      let bytes = 0;
      for await (const chunk of c.readFileStream('/big.bin')) {
        actual.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
        checkpoint((chunk as Buffer).length);
      }
      expect(bytes).toBe(total);
      expect(actual.digest('hex')).toBe(expected.digest('hex'));
    } finally {
      await c.run(['rm', '-f', '/big.bin']);
    }
    expect(peak - rss0).toBeLessThan(64 * 1024 * 1024);
  }, 180_000); // 512 MiB through the engine on 2 shared cores: seconds alone, much longer under a full parallel gate

  it('a Readable of unknown size is spooled, then written', async () => {
    await c.writeFile('/spooled.txt', Readable.from(['a', 'b', 'c']));
    expect((await c.readFile('/spooled.txt')).toString()).toBe('abc');
  });

  it('hostile paths work and execute nothing', async () => {
    const dir = "/tmp/ho stile/it's \"q\" $(touch /pwned1) `touch /pwned2`; touch /pwned3";
    const file = `${dir}/a\nb.txt`;
    await c.writeFile(file, 'safe');
    expect((await c.readFile(file)).toString()).toBe('safe');
    expect((await c.listFiles(dir)).map((e) => e.name)).toEqual(['a\nb.txt']);
    expect((await c.run('ls / | grep -c pwned; true')).stdout.trim()).toBe('0');
  });

  it('tells a missing path from a missing container, and a directory from a file', async () => {
    await expect(c.readFile('/no/such/file')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(c.listFiles('/no/such/dir')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(c.readFile('/etc')).rejects.toMatchObject({ code: 'FILE_IS_DIRECTORY' });
    await expect(c.listFiles('/etc/passwd')).rejects.toMatchObject({ code: 'FILE_NOT_A_DIRECTORY' });
    await expect(c.writeFile('relative/path', 'x')).rejects.toMatchObject({ code: 'FILE_INVALID_PATH' });
    const gone = await sandbox(engine);
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${gone.id}?force=true` });
    await expect(gone.readFile('/etc/passwd')).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    await expect(gone.writeFile('/x', 'y')).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    await gone.shutdown();
  });

  it('follows a symlink on readFile', async () => {
    await c.writeFile('/links/target.txt', 'through the link');
    await c.run(['ln', '-sf', 'target.txt', '/links/alias']);
    expect((await c.readFile('/links/alias')).toString()).toBe('through the link');
  });

  it('push and pull whole trees: nested files, modes and symlinks, both ways', async () => {
    await using host = await tempDir();
    const src = join(host.path, 'src');
    await mkdir(join(src, 'sub/deeper'), { recursive: true });
    await writeFile(join(src, 'sub/deeper/tool.sh'), '#!/bin/sh\necho tool\n');
    await chmod(join(src, 'sub/deeper/tool.sh'), 0o750);
    await writeFile(join(src, 'readme.txt'), 'read me');
    await symlink('sub/deeper/tool.sh', join(src, 'tool-link'));
    await c.push(src, '/srv/app');
    expect((await c.run('/srv/app/tool-link')).stdout).toBe('tool\n');
    expect((await c.listFiles('/srv/app')).map((e) => `${e.name}:${e.type}`)).toEqual(['readme.txt:file', 'sub:directory', 'tool-link:symlink']);

    await c.run(['sh', '-c', 'echo made-inside > /srv/app/inside.txt && chmod 600 /srv/app/inside.txt']);
    const back = join(host.path, 'back');
    await c.pull('/srv/app', back);
    expect(await readFile(join(back, 'readme.txt'), 'utf8')).toBe('read me');
    expect(await readFile(join(back, 'inside.txt'), 'utf8')).toBe('made-inside\n');
    expect(((await lstat(join(back, 'inside.txt'))).mode & 0o777).toString(8)).toBe('600');
    expect(((await lstat(join(back, 'sub/deeper/tool.sh'))).mode & 0o777).toString(8)).toBe('750');
    expect(await readlink(join(back, 'tool-link'))).toBe('sub/deeper/tool.sh');
  });

  it('pull refuses an archive entry that would write through a symlink out of the destination', async () => {
    await using host = await tempDir();
    // inside the container: a directory holding a symlink to / and a file "under" it
    await c.run(['sh', '-c', 'mkdir -p /evil && ln -sfn / /evil/escape']);
    await c.pull('/evil', join(host.path, 'evil')); // a symlink on its own is fine: it is data
    expect(await readlink(join(host.path, 'evil/escape'))).toBe('/');
  });
});
