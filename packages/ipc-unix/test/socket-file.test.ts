import { spawn } from 'node:child_process';
import { lstat, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnixSocketServer, socketPath } from '../src/index.js';
import { Fixture } from './helpers.js';
import { thrown } from '@pocketdock/testkit';

const f = new Fixture();
beforeEach(() => f.setUp());
afterEach(() => f.tearDown());

describe('the socket file', () => {
  it('is created with mode 0600 (and other configured modes) and removed on stop', async () => {
    const server = f.server();
    await server.start();
    expect(server.path).toBe(join(f.dir.path, 'ev.sock'));
    const st = await stat(server.path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.stop();
    await expect(stat(server.path)).rejects.toMatchObject({ code: 'ENOENT' });

    const group = f.server('group', { socketPermissions: '0660' });
    await group.start();
    expect((await stat(group.path)).mode & 0o777).toBe(0o660);
  });

  it('leaves the file with autoRemoveSocket: false, and a later server replaces that stale file', async () => {
    const first = f.server('ev', { autoRemoveSocket: false });
    await first.start();
    await first.stop();
    expect((await lstat(first.path)).isSocket()).toBe(true);
    const second = f.server();
    await second.start();
    await f.client().connect();
    expect(second.getConnectedClients()).toHaveLength(1);
  });

  it('replaces a stale socket left by a dead process', async () => {
    const path = join(f.dir.path, 'ev.sock');
    // a real process that listens and is then killed: its socket file stays behind, with nobody answering
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    expect((await lstat(path)).isSocket()).toBe(true);
    const server = f.server();
    await server.start();
    await f.client().connect();
    expect(server.getConnectedClients()).toHaveLength(1);
  });

  it('never steals a live server\u2019s socket', async () => {
    const live = f.server();
    await live.start();
    const thief = f.server();
    await expect(thief.start()).rejects.toMatchObject({ code: 'IPC_ADDRESS_IN_USE', name: 'ConnectionError' });
    const client = f.client();
    await client.connect();
    expect(live.isRunning()).toBe(true);
  });

  it('refuses to replace a file that is not a socket', async () => {
    await writeFile(join(f.dir.path, 'ev.sock'), 'precious');
    await expect(f.server().start()).rejects.toMatchObject({ code: 'IPC_ADDRESS_IN_USE' });
  });

  it('leaves nothing but the socket behind: the private bind directory is gone, also after a refused start', async () => {
    const server = f.server();
    await server.start();
    expect(await readdir(f.dir.path)).toEqual(['ev.sock']);
    await expect(f.server().start()).rejects.toMatchObject({ code: 'IPC_ADDRESS_IN_USE' });
    expect(await readdir(f.dir.path)).toEqual(['ev.sock']);
    await server.stop();
    expect(await readdir(f.dir.path)).toEqual([]);
  });

  it('creates a missing socketDir with mode 0700', async () => {
    const nested = join(f.dir.path, 'a', 'b');
    const server = f.server('ev', { socketDir: nested });
    await server.start();
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
  });

  it('rejects event names that would leave socketDir', () => {
    for (const name of ['../evil', 'a/b', '..', 'x\0y', '/etc/passwd']) {
      expect(thrown(() => new UnixSocketServer(name, { socketDir: f.dir.path }))).toMatchObject({ code: 'IPC_PATH_TRAVERSAL' });
    }
    expect(thrown(() => socketPath(f.dir.path, 'a b'))).toMatchObject({ code: 'IPC_INVALID_EVENT_NAME' });
  });

  it('rejects a path over the OS limit with a clear error', () => {
    const name = 'n'.repeat(110);
    expect(thrown(() => f.server(name))).toMatchObject({ code: 'IPC_PATH_TOO_LONG', message: expect.stringMatching(/OS limit/) });
  });
});
