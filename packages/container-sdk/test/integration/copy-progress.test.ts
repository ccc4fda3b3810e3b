import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, testEngines } from '@pocketdock/testkit';
import { sandbox } from './helpers.js';

type Call = [number, number | undefined];

/** The calls `onProgress` got are a rising count that covers `atLeast` bytes. */
function expectRising(calls: Call[], atLeast: number): void {
  expect(calls.length).toBeGreaterThan(1);
  for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
  expect(calls.at(-1)![0]).toBeGreaterThanOrEqual(atLeast);
}

describe.each(testEngines())('push and pull onProgress on $name', (engine) => {
  it('counts the bytes of a file both ways, with its size as the total', async () => {
    await using dir = await tempDir();
    await using c = await sandbox(engine);
    const size = 3 * 1024 * 1024 + 17;
    const content = randomBytes(size);
    await writeFile(join(dir.path, 'blob'), content);
    const pushed: Call[] = [];
    await c.push(join(dir.path, 'blob'), '/tmp/blob', { onProgress: (done, total) => pushed.push([done, total]) });
    expectRising(pushed, size);
    expect(new Set(pushed.map(([, total]) => total))).toEqual(new Set([size]));
    const pulled: Call[] = [];
    await c.pull('/tmp/blob', join(dir.path, 'back'), { onProgress: (done, total) => pulled.push([done, total]) });
    expectRising(pulled, size);
    expect(new Set(pulled.map(([, total]) => total))).toEqual(new Set([size]));
    expect((await readFile(join(dir.path, 'back'))).equals(content)).toBe(true);
  });

  it('a directory has no total; an exception in onProgress ends the copy with it', async () => {
    await using dir = await tempDir();
    await using c = await sandbox(engine);
    await mkdir(join(dir.path, 'tree/sub'), { recursive: true });
    await writeFile(join(dir.path, 'tree/sub/a'), randomBytes(200_000));
    await writeFile(join(dir.path, 'tree/b'), randomBytes(100_000));
    const pushed: Call[] = [];
    await c.push(join(dir.path, 'tree'), '/w/tree', { onProgress: (done, total) => pushed.push([done, total]) });
    expectRising(pushed, 300_000);
    expect(pushed.every(([, total]) => total === undefined)).toBe(true);
    const pulled: Call[] = [];
    await c.pull('/w/tree', join(dir.path, 'out'), { onProgress: (done, total) => pulled.push([done, total]) });
    expectRising(pulled, 300_000);
    expect(pulled.every(([, total]) => total === undefined)).toBe(true);
    expect((await readFile(join(dir.path, 'out/sub/a'))).length).toBe(200_000);

    const boom = new Error('stop here');
    const fail = (): void => {
      throw boom;
    };
    await expect(c.push(join(dir.path, 'tree'), '/w/again', { onProgress: fail })).rejects.toBe(boom);
    await expect(c.pull('/w/tree', join(dir.path, 'out2'), { onProgress: fail })).rejects.toThrow('stop here');
    await expect(c.push(join(dir.path, 'tree'), '/w/x', { onProgress: 'no' as never })).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
  });
});
