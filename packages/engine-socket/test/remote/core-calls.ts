import { randomBytes } from 'node:crypto';
import { startTestContainer, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import type { EngineClient } from '../../src/index.js';
import { collect } from '../fake-engine.js';

/** Splits an 8-byte-framed exec stream into stdout and stderr text (stream-demux does it for real). */
export function deframe(bytes: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let pos = 0; pos + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(pos + 4);
    const data = bytes.subarray(pos + 8, pos + 8 + size).toString();
    if (bytes[pos] === 2) out.stderr += data;
    else out.stdout += data;
    pos += 8 + size;
  }
  return out;
}

/** A one-file ustar archive (enough for a test; container-sdk has the real writer). */
export function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, at: number, len: number): void => void header.write(text.slice(0, len), at, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  const sum = header.reduce((a, b) => a + b, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** The calls every transport must carry, on a real engine: ping, JSON, a stream, a hijacked exec with half-close, archive put and get. */
export async function coreCalls(client: EngineClient, engine: TestEngine): Promise<void> {
  expect(client.engine).toBe(engine.name);
  const ping = await client.request({ path: '/_ping' });
  expect((await collect(ping.body)).toString()).toBe('OK');
  const err = await client.json({ path: '/containers/pocketdock-no-such-container/json' }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 404 });

  const events = await client.jsonLines<{ id?: string; Actor?: { ID?: string }; Action?: string }>({
    path: '/events',
    query: { filters: { type: ['container'], label: [`pocketdock.test-run=${testLabels()['pocketdock.test-run']}`] } },
  });
  await using container = await startTestContainer(engine);
  for await (const event of events) if ((event.Actor?.ID ?? event.id) === container.id && event.Action === 'start') break;
  expect(events.destroyed).toBe(true);

  const exec = await client.json<{ Id: string }>({
    method: 'POST',
    path: `/containers/${container.id}/exec`,
    body: { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false },
  });
  const stream = await client.hijack({ path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: false } });
  const output = collect(stream);
  stream.end('hello over the wire\n'); // stdin EOF: cat exits only if the half-close reached the engine
  expect(deframe(await output)).toEqual({ stdout: 'hello over the wire\n', stderr: '' });

  const data = randomBytes(3 * 1024 * 1024 + 100); // over 1 MiB: sent as slices (transport/request-body.ts), the last one partial
  await client.json({ method: 'PUT', path: `/containers/${container.id}/archive`, query: { path: '/tmp' }, body: tarOf('blob.bin', data), headers: { 'Content-Type': 'application/x-tar' } });
  const res = await client.request({ path: `/containers/${container.id}/archive`, query: { path: '/tmp/blob.bin' } });
  expect(res.status).toBe(200);
  const tar = await collect(res.body);
  expect(tar.includes(data)).toBe(true);
}
