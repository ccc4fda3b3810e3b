import { randomBytes } from 'node:crypto';
import { access, chmod, lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, testEngines } from '@pocketdock/testkit';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

const modeOf = async (path: string): Promise<string> => ((await lstat(path)).mode & 0o7777).toString(8);
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

// pull's destination tree may already hold symlinks: from an earlier pull of the same tree (the container's own
// links, landed as links), or put there by anyone who can write there. Extraction must never follow one.
describe.each(testEngines())('pull never follows a symlink in its destination, on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('a link pulled earlier that is a directory now: replaced, nothing written or chmodded through it', async () => {
    await using host = await tempDir();
    const victim = join(host.path, 'victim');
    await mkdir(victim);
    await chmod(victim, 0o755);
    const dest = join(host.path, 'dest');
    await c.run(['sh', '-c', `rm -rf /data && mkdir /data && ln -s ${victim} /data/link`]);
    await c.pull('/data', dest);
    expect(await readlink(join(dest, 'link'))).toBe(victim); // a link on its own is data: it lands as a link

    await c.run(['sh', '-c', 'rm /data/link && mkdir -m777 /data/link && echo X > /data/link/p']);
    await c.pull('/data', dest);
    expect(await readdir(victim)).toEqual([]);
    expect(await modeOf(victim)).toBe('755');
    expect((await lstat(join(dest, 'link'))).isDirectory()).toBe(true);
    expect(await modeOf(join(dest, 'link'))).toBe('777');
    expect(await readFile(join(dest, 'link/p'), 'utf8')).toBe('X\n');
  });

  it('a link to / that becomes a directory tree: nothing lands anywhere on the host', async () => {
    await using host = await tempDir();
    const escape = `pocketdock-test-escape-${randomBytes(6).toString('hex')}`;
    const dest = join(host.path, 'dest');
    try {
      await c.run(['sh', '-c', 'rm -rf /data && mkdir /data && ln -s / /data/root']);
      await c.pull('/data', dest);
      // the modes match the host's / and /tmp, so a regression cannot change them on the host machine
      await c.run(['sh', '-c', `rm /data/root && mkdir -p /data/root/tmp && chmod 755 /data/root && chmod 1777 /data/root/tmp && echo pwned > /data/root/tmp/${escape}`]);
      await c.pull('/data', dest);
      expect(await exists(join('/tmp', escape))).toBe(false);
      expect(await readFile(join(dest, 'root/tmp', escape), 'utf8')).toBe('pwned\n');
    } finally {
      await rm(join('/tmp', escape), { force: true }); // only there if the test failed
    }
  });

  it('a single item that was a symlink and is a directory now replaces the link at the destination', async () => {
    await using host = await tempDir();
    const victim = join(host.path, 'victim');
    await mkdir(victim);
    await chmod(victim, 0o755);
    const dest = join(host.path, 'item');
    await c.run(['sh', '-c', `rm -rf /item && ln -s ${victim} /item`]);
    if (engine.name === 'docker') {
      await c.pull('/item', dest); // Docker sends the link itself: it lands as a link
    } else {
      // Podman's archive follows a symlink named as the item (here: dangling inside the container); put the same
      // link at the destination by hand, as anyone able to write there could
      await expect(c.pull('/item', dest)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await symlink(victim, dest);
    }
    expect(await readlink(dest)).toBe(victim);

    await c.run(['sh', '-c', 'rm /item && mkdir -m 777 /item && echo X > /item/p']);
    await c.pull('/item', dest);
    expect(await readdir(victim)).toEqual([]);
    expect(await modeOf(victim)).toBe('755');
    expect((await lstat(dest)).isDirectory()).toBe(true);
    expect(await readFile(join(dest, 'p'), 'utf8')).toBe('X\n');
  });

  it('setuid, setgid and sticky bits are cleared unless preserveSpecialBits', async () => {
    await using host = await tempDir();
    await c.run(['sh', '-c', 'rm -rf /sb && mkdir /sb && mkdir -m 2775 /sb/shared && mkdir -m 1777 /sb/tmp && echo x > /sb/tool && chmod 4755 /sb/tool']);
    const plain = join(host.path, 'plain');
    await c.pull('/sb', plain);
    expect([await modeOf(join(plain, 'tool')), await modeOf(join(plain, 'shared')), await modeOf(join(plain, 'tmp'))]).toEqual(['755', '775', '777']);
    await c.pull('/sb/tool', join(host.path, 'single'));
    expect(await modeOf(join(host.path, 'single'))).toBe('755');

    const kept = join(host.path, 'kept');
    await c.pull('/sb', kept, { preserveSpecialBits: true });
    expect([await modeOf(join(kept, 'tool')), await modeOf(join(kept, 'shared')), await modeOf(join(kept, 'tmp'))]).toEqual(['4755', '2775', '1777']);
    await expect(c.pull('/sb', kept, { preserveSpecialBits: 'yes' } as never)).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
  });

  it('hard links arrive as hard links, and names that are not UTF-8 arrive byte-exact (none lost)', async () => {
    await using host = await tempDir();
    await c.run(['sh', '-c', 'rm -rf /nu && mkdir -p /nu/sub && printf A > "/nu/a$(printf "\\377")" && printf B > "/nu/a$(printf "\\376")" && printf C > /nu/h1 && ln /nu/h1 /nu/sub/h2']);
    const dest = join(host.path, 'nu');
    await c.pull('/nu', dest);
    const names = (await readdir(Buffer.from(dest), { encoding: 'buffer' })).map((n) => n.toString('hex')).sort();
    expect(names).toEqual(['61fe', '61ff', Buffer.from('h1').toString('hex'), Buffer.from('sub').toString('hex')].sort());
    const at = (suffix: number): Buffer => Buffer.concat([Buffer.from(`${dest}/a`), Buffer.from([suffix])]);
    expect([(await readFile(at(0xff))).toString(), (await readFile(at(0xfe))).toString()]).toEqual(['A', 'B']);
    const [h1, h2] = [await stat(join(dest, 'h1')), await stat(join(dest, 'sub/h2'))];
    expect(h2.ino).toBe(h1.ino);
    expect(h1.nlink).toBe(2);
    expect(await readFile(join(dest, 'sub/h2'), 'utf8')).toBe('C');

    const listed = await c.listFiles('/nu');
    expect(listed.map((e) => e.nameBytes.toString('hex'))).toEqual(['61fe', '61ff', '6831', '737562']);
    expect(listed.filter((e) => e.name.startsWith('a')).map((e) => e.type)).toEqual(['file', 'file']);
    const linked = (await c.listFiles('/nu/sub'))[0]!;
    expect([linked.name, linked.type, linked.size]).toEqual(['h2', 'file', 1]);
  });

  it('a file where the host has a directory: FILE_IS_DIRECTORY, the directory left as it was', async () => {
    await using host = await tempDir();
    await c.run(['sh', '-c', 'rm -rf /clash && mkdir -p /clash/x && echo keep > /clash/x/f']);
    const dest = join(host.path, 'clash');
    await c.pull('/clash', dest);
    await c.run(['sh', '-c', 'rm -rf /clash/x && echo file > /clash/x']);
    await expect(c.pull('/clash', dest)).rejects.toMatchObject({ code: 'FILE_IS_DIRECTORY' });
    expect(await readFile(join(dest, 'x/f'), 'utf8')).toBe('keep\n');
    expect((await readdir(dest)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});
