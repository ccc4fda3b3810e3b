import { randomBytes } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import { createMessage } from '@pocketdock/ipc-core';
import type { Socket } from 'node:net';
import { until } from '@pocketdock/testkit';
import { Fixture } from './helpers.js';

const f = new Fixture();
beforeEach(() => f.setUp());
afterEach(() => f.tearDown());

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

const closed = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));

const hostile: Array<[string, Buffer, string]> = [
  ['random bytes', Buffer.concat([Buffer.from([0, 0, 0, 200]), randomBytes(200)]), 'IPC_'],
  ['a 4 GiB length prefix', Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), 'IPC_FRAME_TOO_LARGE'],
  ['a non-map payload', frame(encode([1, 2, 3])), 'IPC_INVALID_MESSAGE'],
  ['a map without the fields', frame(encode({ hello: 'x' })), 'IPC_INVALID_MESSAGE'],
  ['a bad event name', frame(encode({ event_name: '../x', timestamp_ms: 1, timestamp_iso: 'x', message_type: 'data', data: {} })), 'IPC_INVALID_MESSAGE'],
  ['an unknown type', frame(encode({ event_name: 'x', timestamp_ms: 1, timestamp_iso: 'x', message_type: 'evil', data: {} })), 'IPC_INVALID_MESSAGE'],
  ['data that is no map', frame(encode({ event_name: 'x', timestamp_ms: 1, timestamp_iso: 'x', message_type: 'data', data: [1] })), 'IPC_INVALID_MESSAGE'],
  ['an empty frame', Buffer.from([0, 0, 0, 0]), 'IPC_BAD_FRAME'],
];

describe('hostile input', () => {
  it.each(hostile)('%s closes only that connection; the server serves the others', async (_name, bytes, code) => {
    const server = f.server();
    await server.start();
    const errors: string[] = [];
    server.on('error', (e) => errors.push(e.code));
    const good = f.client();
    await good.connect();
    await until(() => server.getConnectedClients().length === 1);

    const evil = await f.raw(server.path);
    const gone = closed(evil);
    evil.write(bytes);
    await gone;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.startsWith(code)).toBe(true);

    server.send(createMessage('ev', { still: 'serving' }));
    expect((await good.receive()).data).toEqual({ still: 'serving' });
    expect(server.getConnectedClients()).toHaveLength(1);
  });

  it('a truncated frame is reported when the client goes away', async () => {
    const server = f.server();
    await server.start();
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    server.on('error', () => undefined);
    const evil = await f.raw(server.path);
    evil.end(Buffer.from([0, 0, 0, 50, 1, 2, 3]));
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['IPC_TRUNCATED_FRAME']);
    const good = f.client();
    await good.connect();
    await until(() => server.getConnectedClients().length === 1);
  });

  it('the server keeps running with no error listener', async () => {
    const server = f.server();
    await server.start();
    const evil = await f.raw(server.path);
    const gone = closed(evil);
    evil.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await gone;
    expect(server.isRunning()).toBe(true);
  });
});
