import { Writable } from 'node:stream';
import { rawJson, rawStream, startTestContainer, testEngines } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { FrameDecoder, demux } from '../../src/index.js';
import type { Frame } from '../../src/index.js';

const ROUNDS = 4200;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
// Builtins only (busybox ash printf), so the output is produced fast and without forks; octal escapes give every
// byte value, NUL included.
const SCRIPT = `
B=""; n=0; while [ $n -lt 256 ]; do B="$B\\\\$(printf %o $n)"; n=$((n+1)); done
i=0; while [ $i -lt ${ROUNDS} ]; do
  printf "o%d\\n" $i; printf "$B"; printf "e%d\\n" $i >&2; printf "$B" >&2; i=$((i+1))
done`;

function expected(prefix: string): Buffer {
  return Buffer.concat(Array.from({ length: ROUNDS }, (_, i) => [Buffer.from(`${prefix}${i}\n`), ALL_BYTES]).flat());
}

class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function startExec(engine: TestEngine, id: string, cmd: string[], tty: boolean) {
  const exec = await rawJson<{ Id: string }>({
    socketPath: engine.socketPath,
    method: 'POST',
    path: `/v1.41/containers/${id}/exec`,
    body: { Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: tty },
  });
  const res = await rawStream({
    socketPath: engine.socketPath,
    method: 'POST',
    path: `/v1.41/exec/${exec.Id}/start`,
    body: { Detach: false, Tty: tty },
  });
  expect(res.statusCode).toBe(200);
  return res;
}

describe.each(testEngines())('real exec attach streams on $name', (engine) => {
  it('decodes >1 MiB of interleaved stdout and stderr with all 256 byte values, byte-exact', async () => {
    await using container = await startTestContainer(engine);
    const res = await startExec(engine, container.id, ['sh', '-c', SCRIPT], false);
    const stdout = new Sink();
    const stderr = new Sink();
    const order: Frame['stream'][] = [];
    const decoder = new FrameDecoder();
    decoder.on('data', (f: Frame) => {
      if (order.at(-1) !== f.stream) order.push(f.stream);
    });
    // Tap the frames to see the interleaving, and demux the same bytes to the sinks.
    res.on('data', (chunk: Buffer) => decoder.write(chunk));
    res.on('end', () => decoder.end());
    await demux(res, { stdout, stderr });

    expect(stdout.bytes().length).toBeGreaterThan(1024 * 1024);
    expect(stdout.bytes().equals(expected('o'))).toBe(true);
    expect(stderr.bytes().equals(expected('e'))).toBe(true);
    expect(order.length).toBeGreaterThan(2); // really interleaved, not all of one then all of the other
  });

  it("passes a TTY exec's unframed bytes through in mode 'raw'", async () => {
    await using container = await startTestContainer(engine);
    const res = await startExec(engine, container.id, ['sh', '-c', 'printf "tty-out"; printf "tty-err" >&2'], true);
    const stdout = new Sink();
    const stderr = new Sink();
    await demux(res, { stdout, stderr }, { mode: 'raw' });
    expect(stdout.bytes().toString()).toBe('tty-outtty-err');
    expect(stderr.chunks).toHaveLength(0);
  });

  it('refuses the same TTY bytes in multiplexed mode with DEMUX_BAD_HEADER', async () => {
    await using container = await startTestContainer(engine);
    const res = await startExec(engine, container.id, ['sh', '-c', 'printf "plain text, no frames"'], true);
    await expect(demux(res, { stdout: new Sink(), stderr: new Sink() })).rejects.toMatchObject({ code: 'DEMUX_BAD_HEADER' });
  });
});
