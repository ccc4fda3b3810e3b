import { chmod, lchown, lstat, mkdir, readdir, rename, stat, symlink, chown } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { until } from '@pocketdock/testkit';
import { CommandServer, sendCommand } from '../src/index.js';
import { Fixture } from './helpers.js';
import { NOBODY, killAll, runAsNobody, serveAsNobody } from './other-user.js';

const f = new Fixture();
const extra: Server[] = [];
beforeEach(async () => {
  await f.setUp();
  await chmod(f.dir.path, 0o755); // so that nobody's processes can reach what the tests give them
});
afterEach(async () => {
  await killAll();
  await Promise.all(extra.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await f.tearDown();
});

/** A directory like /tmp: root's, world-writable, sticky. */
async function stickyTmp(): Promise<string> {
  const tmp = join(f.dir.path, 'tmp');
  await mkdir(tmp);
  await chmod(tmp, 0o1777);
  return tmp;
}

const insecure = (pattern: RegExp) => ({ code: 'IPC_INSECURE_SOCKET_DIR', name: 'ConnectionError', message: expect.stringMatching(pattern) });

describe('the socket directory', () => {
  // Regression: another user made /tmp/pocketdock 0777 first; a root server started in it, the other user could swap
  // in their own socket, and root's clients talked to the impostor.
  it('is refused when another user created it, world-writable, in a sticky /tmp', async () => {
    const squatted = join(await stickyTmp(), 'pocketdock');
    runAsNobody(`const p = process.argv[1]; require('fs').mkdirSync(p); require('fs').chmodSync(p, 0o777);`, squatted);
    expect((await stat(squatted)).uid).toBe(NOBODY);
    const server = f.server('ev', { socketDir: squatted });
    await expect(server.start()).rejects.toMatchObject(insecure(/owned by uid 65534.*remove it/));
    expect(await readdir(squatted)).toEqual([]); // nothing bound where the other user could take it over
    expect(server.isRunning()).toBe(false);
  });

  it('is refused when it belongs to another user even if private (mode 0700)', async () => {
    const dir = join(f.dir.path, 'theirs');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, NOBODY, NOBODY);
    await expect(f.server('ev', { socketDir: dir }).start()).rejects.toMatchObject(insecure(/owned by uid 65534/));
  });

  it('is refused when group or others may write to it (0777, 0770), naming the fix; accepted once fixed', async () => {
    const dir = join(f.dir.path, 'open');
    await mkdir(dir);
    for (const mode of [0o777, 0o770, 0o1777]) {
      await chmod(dir, mode);
      await expect(f.server('ev', { socketDir: dir }).start()).rejects.toMatchObject(insecure(/chmod go-w/));
    }
    await chmod(dir, 0o755);
    const server = f.server('ev', { socketDir: dir });
    await server.start();
    expect(server.isRunning()).toBe(true);
  });

  it('may be created inside a sticky world-writable directory (like /tmp), which itself is refused', async () => {
    const tmp = await stickyTmp();
    await expect(f.server('ev', { socketDir: tmp }).start()).rejects.toMatchObject(insecure(/mode 01777/));
    const mine = join(tmp, 'a', 'b');
    const server = f.server('ev', { socketDir: mine });
    await server.start();
    expect((await stat(join(tmp, 'a'))).mode & 0o7777).toBe(0o700);
    expect((await stat(mine)).mode & 0o7777).toBe(0o700);
  });

  it('is not created under a parent others can write to without the sticky bit (a parent made 0777)', async () => {
    const parent = join(f.dir.path, 'shared');
    await mkdir(parent);
    await chmod(parent, 0o777);
    await expect(f.server('ev', { socketDir: join(parent, 'sock') }).start()).rejects.toMatchObject(insecure(/shared: its mode 0777.*chmod \+t/));
    expect(await readdir(parent)).toEqual([]);
  });

  it('is refused as a symbolic link another user made; one of its own leads to a directory that is checked too', async () => {
    const real = join(f.dir.path, 'real');
    await mkdir(real, { mode: 0o700 });
    const theirs = join(f.dir.path, 'theirs');
    await symlink(real, theirs);
    await lchown(theirs, NOBODY, NOBODY);
    await expect(f.server('ev', { socketDir: theirs }).start()).rejects.toMatchObject(insecure(/symbolic link made by uid 65534/));

    const mine = join(f.dir.path, 'mine');
    await symlink(real, mine);
    const server = f.server('ev', { socketDir: mine });
    await server.start();
    expect((await lstat(join(real, 'ev.sock'))).isSocket()).toBe(true);
    await server.stop();

    await chown(real, NOBODY, NOBODY); // a link of its own, to someone else's directory
    await expect(f.server('ev', { socketDir: mine }).start()).rejects.toMatchObject(insecure(/real: it is owned by uid 65534/));
  });

  it('is checked for the CommandServer too', async () => {
    const dir = join(f.dir.path, 'open');
    await mkdir(dir);
    await chmod(dir, 0o777);
    const server = new CommandServer(join(dir, 'ctl.sock'), () => Promise.resolve('ok'));
    await expect(server.start()).rejects.toMatchObject({ code: 'IPC_INSECURE_SOCKET_DIR' });
  });
});

describe('the socket file', () => {
  it('is not replaced when the path holds a symbolic link, even to a live socket', async () => {
    const live = createServer();
    extra.push(live);
    const target = join(f.dir.path, 'live.sock');
    await new Promise<void>((resolve) => live.listen(target, resolve));
    await symlink(target, join(f.dir.path, 'ev.sock'));
    await expect(f.server().start()).rejects.toMatchObject({ code: 'IPC_ADDRESS_IN_USE', message: expect.stringMatching(/not a socket/) });
    expect((await lstat(join(f.dir.path, 'ev.sock'))).isSymbolicLink()).toBe(true);
  });

  it('stop() removes only the socket it created: one swapped in since stays (inode check)', async () => {
    const server = f.server();
    await server.start();
    const other = createServer();
    extra.push(other);
    const otherPath = join(f.dir.path, 'other.sock');
    await new Promise<void>((resolve) => other.listen(otherPath, resolve));
    await rename(otherPath, server.path); // what another user could do in a directory they can write to
    await server.stop();
    expect((await lstat(server.path)).isSocket()).toBe(true);
  });
});

describe('expectedOwner', () => {
  // Regression: a client could not require the owner of the socket, so another user's server (here: nobody's, in a
  // sticky /tmp where it may create files) answered root's client.
  it('refuses a socket of another user (IPC_SOCKET_OWNER_MISMATCH)', async () => {
    const tmp = await stickyTmp();
    await serveAsNobody(join(tmp, 'ev.sock'));
    expect((await lstat(join(tmp, 'ev.sock'))).uid).toBe(NOBODY);
    const trusting = f.client('ev', { socketDir: tmp, reconnect: { enabled: false } });
    await trusting.connect(); // without the option: connected to the impostor
    expect(trusting.isConnected()).toBe(true);
    const careful = f.client('ev', { socketDir: tmp, expectedOwner: 0, reconnect: { enabled: false } });
    await expect(careful.connect()).rejects.toMatchObject({
      code: 'IPC_SOCKET_OWNER_MISMATCH',
      message: expect.stringMatching(/belongs to uid 65534, not uid 0/),
    });
    await expect(sendCommand(join(tmp, 'ev.sock'), 'ping', { expectedOwner: 0 })).rejects.toMatchObject({ code: 'IPC_SOCKET_OWNER_MISMATCH' });
  });

  it('refuses a socket in a directory others can change, and connects to its own server', async () => {
    const open = join(f.dir.path, 'open');
    await mkdir(open);
    await chmod(open, 0o777); // no sticky bit: anyone may rename or remove the socket
    await serveAsNobody(join(open, 'ev.sock'));
    const asNobody = f.client('ev', { socketDir: open, expectedOwner: NOBODY, reconnect: { enabled: false } });
    await expect(asNobody.connect()).rejects.toMatchObject(insecure(/open: its mode 0777/));

    const server = f.server();
    await server.start();
    const client = f.client('ev', { expectedOwner: 0 });
    await client.connect();
    expect(client.isConnected()).toBe(true);
    const missing = f.client('none', { expectedOwner: 0, reconnect: { enabled: false } });
    await expect(missing.connect()).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
  });

  // Regression: without the option, a client reconnecting after its server went away took whatever socket was at the
  // path by then.
  it('is checked again on every reconnect: a socket of another user put in its place gets no connection', async () => {
    const server = f.server();
    await server.start();
    const client = f.client('ev', { expectedOwner: 0, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    const attempts: number[] = [];
    client.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    await client.connect();
    await server.stop();
    const staging = join(f.dir.path, 'staging');
    await mkdir(staging);
    await chmod(staging, 0o777);
    const impostor = await serveAsNobody(join(staging, 'ev.sock'));
    await rename(join(staging, 'ev.sock'), server.path); // here the test moves it; an insecure directory would let them
    const before = attempts.length;
    await until(() => attempts.length >= before + 5 || client.isConnected(), { what: 'five more reconnect attempts' });
    expect(client.isConnected()).toBe(false);
    expect(impostor.connections()).toBe(0);
  });

  it('is checked by sendCommand', async () => {
    const server = new CommandServer(join(f.dir.path, 'ctl.sock'), () => Promise.resolve('pong'));
    await server.start();
    try {
      expect((await sendCommand(server.path, 'ping', { expectedOwner: 0 })).toString()).toBe('pong');
      await expect(sendCommand(server.path, 'ping', { expectedOwner: NOBODY })).rejects.toMatchObject({ code: 'IPC_SOCKET_OWNER_MISMATCH' });
    } finally {
      await server.stop();
    }
  });
});
