import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';
import { stat } from 'node:fs/promises';
import { tempDir, undocumentedCodes } from '@pocketdock/testkit';
import { CommandServer, UNIX_ERROR_CODES, commandError, sendCommand } from '../src/index.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let servers: CommandServer[] = [];
beforeEach(async () => {
  dir = await tempDir();
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await dir[Symbol.asyncDispose]();
});

async function serve(handler: (command: string) => Promise<string | Buffer>, options = {}): Promise<CommandServer> {
  const server = new CommandServer(join(dir.path, 'ctl.sock'), handler, options);
  servers.push(server);
  await server.start();
  return server;
}

describe('CommandServer and sendCommand', () => {
  it('answers 100 concurrent commands, each on its own connection', async () => {
    const server = await serve(async (command) => {
      await sleep(Math.random() * 20);
      return `echo:${command}`;
    });
    expect((await stat(server.path)).mode & 0o777).toBe(0o600);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => sendCommand(server.path, `cmd ${i}`)));
    replies.forEach((reply, i) => expect(reply.toString()).toBe(`echo:cmd ${i}`));
  });

  it('replies with Buffers as they are', async () => {
    const server = await serve(() => Promise.resolve(Buffer.from([0, 1, 2, 255])));
    expect(await sendCommand(server.path, 'bin')).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('turns a handler error into the standard error reply', async () => {
    const server = await serve(() => Promise.reject(new Error('boom')));
    const reply = await sendCommand(server.path, 'fail');
    expect(commandError(reply)).toEqual({ code: 'IPC_COMMAND_FAILED', message: 'boom' });
    expect(commandError(Buffer.from('ok'))).toBeUndefined();
  });

  it('answers an oversized command with IPC_COMMAND_TOO_LARGE (configurable limit)', async () => {
    const server = await serve(() => Promise.resolve('never'), { maxCommandBytes: 64 });
    expect(commandError(await sendCommand(server.path, 'x'.repeat(63)))).toBeUndefined();
    expect(commandError(await sendCommand(server.path, 'x'.repeat(64)))?.code).toBe('IPC_COMMAND_TOO_LARGE');
    const defaults = new CommandServer(join(dir.path, 'd.sock'), () => Promise.resolve('ok'));
    expect(defaults.maxCommandBytes).toBe(4096);
  });

  it('times out on a server that does not answer', async () => {
    let release!: () => void;
    const server = await serve(() => new Promise<string>((resolve) => (release = () => resolve('late'))));
    await expect(sendCommand(server.path, 'slow', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'IPC_TIMEOUT',
      name: 'TimeoutError',
    });
    release();
  });

  it('answers a client that never finishes its command with IPC_TIMEOUT', async () => {
    const server = await serve(() => Promise.resolve('never'), { readTimeoutMs: 100 });
    const socket = connect(server.path);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write('no newline');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(commandError(Buffer.concat(chunks))?.code).toBe('IPC_TIMEOUT');
  });

  it('fails cleanly when nobody listens, and on a multi-line command', async () => {
    await expect(sendCommand(join(dir.path, 'none.sock'), 'x')).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
    await expect(sendCommand(join(dir.path, 'none.sock'), 'a\nb')).rejects.toMatchObject({ code: 'IPC_INVALID_MESSAGE' });
  });

  it('limits the reply size', async () => {
    const server = await serve(() => Promise.resolve(Buffer.alloc(10_000)));
    await expect(sendCommand(server.path, 'big', { maxReplyBytes: 100 })).rejects.toMatchObject({ code: 'IPC_REPLY_TOO_LARGE' });
  });
});

describe('error codes', () => {
  it('every code this package raises is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), UNIX_ERROR_CODES)).toEqual([]);
  });
});
