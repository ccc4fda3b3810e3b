import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir, testEngines } from '@pocketdock/testkit';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

/** 2,000,000 bytes in 20 chunks, arriving over time (as from a network or a disk). */
function slowSource(): Readable {
  let n = 0;
  return new Readable({
    read() {
      if (n++ >= 20) return void this.push(null);
      setTimeout(() => this.push(Buffer.alloc(100_000, 0x61)), 2);
    },
  });
}

/** A source that sends some bytes, then fails. */
function failingSource(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) return void setTimeout(() => this.destroy(new Error('disk on fire')), 2);
      sent = true;
      this.push(Buffer.alloc(50_000, 0x62));
    },
  });
}

/** What a failing upload must leave: a container that answers at once (Docker holds it while an upload hangs). */
async function usableAtOnce(c: Container): Promise<number> {
  const t0 = Date.now();
  expect((await c.run('echo ok')).stdout).toBe('ok\n');
  return Date.now() - t0;
}

describe.each(testEngines())('failed uploads on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it.each([
    ['smaller than the stream', 100, 'FILE_SIZE_MISMATCH'],
    ['larger than the stream', 3_000_000, 'FILE_SIZE_MISMATCH'],
    ['1e12', 1e12, 'FILE_SIZE_MISMATCH'],
    ['-1', -1, 'CONTAINER_INVALID_OPTIONS'],
    ['NaN', NaN, 'CONTAINER_INVALID_OPTIONS'],
    ['1.5', 1.5, 'CONTAINER_INVALID_OPTIONS'],
  ])('writeFile(stream, { size: %s }) rejects with a code, the stream is destroyed, the container is usable at once', async (_label, size, code) => {
    const source = slowSource();
    await expect(c.writeFile('/wrong-size.bin', source, { size })).rejects.toMatchObject({ code });
    expect(source.destroyed).toBe(true);
    expect(await usableAtOnce(c)).toBeLessThan(10_000);
  });

  it('writeFile of a stream that fails: FILE_SOURCE_FAILED (with the cause), with or without a size; no spool dir left', async () => {
    await expect(c.writeFile('/failed.bin', failingSource(), { size: 1_000_000 })).rejects.toMatchObject({ code: 'FILE_SOURCE_FAILED', cause: { message: 'disk on fire' } });
    expect(await usableAtOnce(c)).toBeLessThan(10_000);
    await using spoolRoot = await tempDir();
    const before = process.env.TMPDIR;
    process.env.TMPDIR = spoolRoot.path; // the spool goes under os.tmpdir(): watch a private one
    try {
      await expect(c.writeFile('/failed.bin', failingSource())).rejects.toMatchObject({ code: 'FILE_SOURCE_FAILED' });
      await c.writeFile('/spooled.bin', Readable.from([Buffer.from('fine')]));
    } finally {
      process.env.TMPDIR = before;
    }
    expect(await readdir(spoolRoot.path)).toEqual([]);
    expect((await c.readFile('/spooled.bin')).toString()).toBe('fine');
  });

  it('writeFile refuses data that is neither bytes nor a stream', async () => {
    await expect(c.writeFile('/x', 42 as never)).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    await expect(c.writeFile('/x', 'y', { mode: 0o10000 })).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
  });

  it('push of a host file shorter than its size says (a file truncated while read): FILE_SIZE_MISMATCH, usable at once', async () => {
    // sysfs reports 4096 bytes for files that hold a few: exactly what a reader sees of a file truncated under it
    await expect(c.push('/sys/kernel/uevent_seqnum', '/seqnum')).rejects.toMatchObject({ code: 'FILE_SIZE_MISMATCH' });
    expect(await usableAtOnce(c)).toBeLessThan(10_000);
  });

  it('push of names that are not UTF-8 sends them byte-exact; the container is usable at once', async () => {
    await using host = await tempDir();
    const src = join(host.path, 'src');
    await mkdir(src);
    const named = (suffix: number): Buffer => Buffer.concat([Buffer.from(`${src}/a`), Buffer.from([suffix])]);
    await writeFile(named(0xff), 'A');
    await writeFile(named(0xfe), 'B');
    await c.push(src, '/pushed-nu');
    expect(await usableAtOnce(c)).toBeLessThan(10_000);
    const listed = await c.listFiles('/pushed-nu');
    expect(listed.map((e) => e.nameBytes.toString('hex'))).toEqual(['61fe', '61ff']);
    expect((await c.run(['sh', '-c', 'cat /pushed-nu/*'])).stdout).toBe('BA');
  });

  it('push of a missing host path: FILE_SOURCE_FAILED with the file system error as cause', async () => {
    await expect(c.push('/no/such/host/path', '/x')).rejects.toMatchObject({ code: 'FILE_SOURCE_FAILED', cause: { code: 'ENOENT' } });
  });
});

describe.each(testEngines())('readFile bounds on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('refuses a file over maxBytes (default 64 MiB) with FILE_TOO_LARGE, before reading it', async () => {
    await c.run('head -c 2097152 /dev/zero > /two.bin && truncate -s 4400M /huge.bin && truncate -s 65M /default.bin');
    await expect(c.readFile('/two.bin', { maxBytes: 1024 * 1024 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect((await c.readFile('/two.bin', { maxBytes: 2 * 1024 * 1024 })).length).toBe(2 * 1024 * 1024);
    await expect(c.readFile('/default.bin')).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    // 4.3 GiB: past any Buffer, even with no bound of ours; refused before a byte of it is read
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    await expect(c.readFile('/huge.bin', { maxBytes: Infinity })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(c.readFile('/huge.bin')).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/readFileStream/) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 1024 * 1024);
    await expect(c.readFile('/two.bin', { maxBytes: -1 })).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    expect(await usableAtOnce(c)).toBeLessThan(10_000);
  }, 60_000);
});
