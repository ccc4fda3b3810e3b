import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectFlow } from '@pocketdock/flow-runtime';
import type { Flow } from '@pocketdock/flow-runtime';
import { tempDir, thrown } from '@pocketdock/testkit';
import { SocketCommunicationHandler } from '../src/index.js';

const ID = 'c0ffee'.repeat(10) + 'abcd'; // 64 hex digits, like an engine id
const KEY = '0123456789abcdef';

function handler(socketDir: string, replyTimeoutMs = 2_000): SocketCommunicationHandler {
  return new SocketCommunicationHandler({ socketDir, maxMessageBytes: 64 * 1024, replyTimeoutMs, inboxSize: 3 });
}

/** A flow as the container runs it, but in this process: connected through the mounted directory's path. */
function flowAt(socketDir: string, onMessage?: (m: unknown) => unknown): Flow {
  return connectFlow({ socketPath: join(socketDir, 'mounts', KEY, 'flow.sock'), ...(onMessage ? { onMessage } : {}) });
}

describe('SocketCommunicationHandler', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(replyTimeoutMs?: number): Promise<{ dir: string; sockets: SocketCommunicationHandler }> {
    const dir = await tempDir();
    cleanup.push(() => dir[Symbol.asyncDispose]());
    const sockets = handler(dir.path, replyTimeoutMs);
    cleanup.push(() => sockets.close());
    await sockets.setupSocket(ID, KEY);
    return { dir: dir.path, sockets };
  }

  function track(flow: Flow): Flow {
    cleanup.push(() => flow.close());
    return flow;
  }

  it('creates {socketDir}/{id}.sock as a 0600 socket, the same one the container sees', async () => {
    const { dir, sockets } = await setup();
    const host = await lstat(join(dir, `${ID}.sock`));
    const mounted = await lstat(join(dir, 'mounts', KEY, 'flow.sock'));
    expect(host.isSocket()).toBe(true);
    expect(host.mode & 0o777).toBe(0o600);
    expect(host.ino).toBe(mounted.ino);
    expect(sockets.socketPath(ID)).toBe(join(dir, `${ID}.sock`));
  });

  it('isSocketConnected is about a connected flow, not the file', async () => {
    const { dir, sockets } = await setup();
    expect(sockets.isSocketConnected(ID)).toBe(false);
    const connected = new Promise((r) => sockets.once('connected', r));
    const flow = track(flowAt(dir, (m) => m));
    await connected;
    expect(sockets.isSocketConnected(ID)).toBe(true);
    const gone = new Promise((r) => sockets.once('disconnected', r));
    await flow.close();
    await gone;
    expect(sockets.isSocketConnected(ID)).toBe(false);
  });

  it('sendMessage resolves with the flow answer; flow failures and silence are coded', async () => {
    const { dir, sockets } = await setup(300);
    let mode = 'echo';
    track(
      flowAt(dir, (m) => {
        if (mode === 'fail') throw new Error('bad input');
        if (mode === 'silent') return new Promise(() => undefined);
        return { got: m };
      }),
    );
    expect(await sockets.sendMessage(ID, { a: [1, 2] })).toEqual({ got: { a: [1, 2] } });
    expect(sockets.lastCommunication(ID)).toBeInstanceOf(Date);
    mode = 'fail';
    await expect(sockets.sendMessage(ID, 1)).rejects.toMatchObject({ code: 'FM_FLOW_FAILED', message: expect.stringContaining('bad input') });
    mode = 'silent';
    await expect(sockets.sendMessage(ID, 1, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'FM_FLOW_TIMEOUT' });
    mode = 'echo';
    expect(await sockets.sendMessage(ID, 'still fine')).toEqual({ got: 'still fine' });
  });

  it('a flow that disconnects before answering fails its pending requests at once', async () => {
    const { dir, sockets } = await setup(10_000);
    const flow = track(flowAt(dir, () => new Promise(() => undefined)));
    await flow.ready();
    const t0 = Date.now();
    const pending = sockets.sendMessage(ID, 'never answered');
    const failed = expect(pending).rejects.toMatchObject({ code: 'FM_FLOW_NOT_CONNECTED', message: expect.stringContaining('disconnected before answering') });
    await new Promise((r) => setTimeout(r, 50));
    await flow.close();
    await failed;
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('sendMessage waits for a flow to connect, and says so when none does', async () => {
    const { dir, sockets } = await setup();
    await expect(sockets.sendMessage(ID, 1, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'FM_FLOW_NOT_CONNECTED' });
    const pending = sockets.sendMessage(ID, 'hello', { timeoutMs: 3_000 });
    track(flowAt(dir, (m) => `re: ${String(m)}`));
    expect(await pending).toBe('re: hello');
  });

  it('a message larger than maxMessageBytes is FM_INVALID_PAYLOAD and sends nothing', async () => {
    const { dir, sockets } = await setup();
    let calls = 0;
    track(flowAt(dir, () => ++calls));
    await expect(sockets.sendMessage(ID, 'x'.repeat(70 * 1024))).rejects.toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    expect(await sockets.sendMessage(ID, 'small')).toBe(1);
  });

  it("a flow's own events are emitted and kept (bounded) for receiveMessage", async () => {
    const { dir, sockets } = await setup();
    const flow = track(flowAt(dir));
    await flow.ready();
    await expect(sockets.receiveMessage(ID, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'FM_FLOW_TIMEOUT' });
    const seen: unknown[] = [];
    sockets.on('message', (_id, e) => seen.push(e.event));
    for (let i = 0; i < 5; i++) flow.send(`e${i}`, i);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    // inboxSize 3: the two oldest were dropped
    expect((await sockets.receiveMessage(ID)).event).toBe('e2');
    expect((await sockets.receiveMessage(ID)).message).toBe(3);
    expect((await sockets.receiveMessage(ID)).event).toBe('e4');
    const waiting = sockets.receiveMessage(ID);
    flow.send('later', 'x');
    expect(await waiting).toMatchObject({ event: 'later', message: 'x' });
  });

  it('after a restart (close, set up again) the flow reconnects by itself', async () => {
    const { dir, sockets } = await setup();
    const flow = track(flowAt(dir, (m) => m));
    await flow.ready();
    await sockets.close();
    const again = handler(dir);
    cleanup.push(() => again.close());
    await again.setupSocket(ID, KEY);
    expect(await again.sendMessage(ID, 'back', { timeoutMs: 3_000 })).toBe('back');
  });

  it('cleanupSocket removes the socket, its link and the mounted directory; pending calls fail', async () => {
    const { dir, sockets } = await setup();
    const pending = sockets.sendMessage(ID, 1, { timeoutMs: 5_000 });
    await sockets.cleanupSocket(ID);
    await expect(pending).rejects.toMatchObject({ code: 'FM_FLOW_NOT_CONNECTED' });
    expect(await readdir(dir)).toEqual(['mounts']);
    expect(await readdir(join(dir, 'mounts'))).toEqual([]);
    await expect(sockets.sendMessage(ID, 1)).rejects.toMatchObject({ code: 'FM_FLOW_NOT_CONNECTED' });
  });

  it('refuses a socketDir whose socket paths would not fit', () => {
    expect(thrown(() => handler(`/tmp/${'d'.repeat(60)}`))).toMatchObject({ code: 'FM_INVALID_OPTIONS' });
  });
});
