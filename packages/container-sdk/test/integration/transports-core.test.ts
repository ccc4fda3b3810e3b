import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EngineClient } from '@pocketdock/engine-socket';
import { tempDir, testLabels, useTransports } from '@pocketdock/testkit';
import type { TransportUnderTest } from '@pocketdock/testkit';
import { createNewContainer } from '../../src/index.js';
import type { Container } from '../../src/index.js';

// The core of this package (create, run, stream, session, files) over every transport engine-socket offers, on
// both engines: the engine's Unix socket, TCP with TLS (client certificates) and ssh (dial-stdio through a
// second sshd). One container per transport and engine; every exec, stream and archive call goes over it.
// ssh: each hijacked exec is a new ssh channel, i.e. a dial-stdio process started by sshd: seconds on a loaded machine.
jest.setTimeout(180_000);

const transports = useTransports();

describe.each(transports)('container-sdk over $label', (t: TransportUnderTest) => {
  let engine: EngineClient;
  let c: Container;
  beforeAll(async () => {
    engine = await EngineClient.connect(t.connect());
    c = await createNewContainer({ engine, labels: testLabels() });
  }, 120_000);
  afterAll(async () => {
    await c?.shutdown();
    await engine?.close();
  });

  it('create: the sandbox runs, on the engine and transport asked for', async () => {
    expect([engine.transport, engine.engine]).toEqual([t.transport, t.engine.name]);
    expect((await c.info()).status).toBe('running');
  });

  it('run (blocking): exit code, stdout and stderr apart, stdin piped in', async () => {
    const r = await c.run('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', ok: false });
    expect((await c.run(['wc', '-c'], { stdin: 'four' })).stdout.trim()).toBe('4');
  });

  it('stream: output arrives while stdin is still open, and the half-close (stdin EOF) ends the command', async () => {
    const stdin = new PassThrough();
    const stream = c.run('cat; echo done-after-eof', { stream: true, stdin });
    const seen: string[] = [];
    stdin.write('first line\n');
    for await (const chunk of stream) {
      seen.push(chunk.data);
      const text = seen.join('');
      // the echo of the first line proves the stream is live before EOF; only the EOF lets cat exit
      if (text === 'first line\n') stdin.end('second line\n');
    }
    expect(seen.join('')).toBe('first line\nsecond line\ndone-after-eof\n');
    expect(await stream.result).toMatchObject({ exitCode: 0 });
  });

  it('session: state kept between commands', async () => {
    await using s = await c.session();
    await s.run('cd /tmp && export OVER=transport');
    expect((await s.run('pwd; echo $OVER')).stdout).toBe('/tmp\ntransport\n');
  });

  it('files: writeFile/readFile (over 1 MiB), and push/pull of a small tree', async () => {
    const blob = randomBytes(1024 * 1024 + 123);
    await c.writeFile('/work/blob.bin', blob, { mode: 0o640 });
    expect((await c.readFile('/work/blob.bin')).equals(blob)).toBe(true);

    await using host = await tempDir();
    const src = join(host.path, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub/tool.sh'), '#!/bin/sh\necho tool\n');
    await chmod(join(src, 'sub/tool.sh'), 0o750);
    await writeFile(join(src, 'readme.txt'), 'read me');
    await symlink('sub/tool.sh', join(src, 'tool-link'));
    await c.push(src, '/srv/tree');
    expect((await c.run('/srv/tree/tool-link')).stdout).toBe('tool\n');
    await c.run('echo made-inside > /srv/tree/inside.txt');
    const back = join(host.path, 'back');
    await c.pull('/srv/tree', back);
    expect(await readFile(join(back, 'readme.txt'), 'utf8')).toBe('read me');
    expect(await readFile(join(back, 'inside.txt'), 'utf8')).toBe('made-inside\n');
    expect(((await lstat(join(back, 'sub/tool.sh'))).mode & 0o777).toString(8)).toBe('750');
    expect(await readlink(join(back, 'tool-link'))).toBe('sub/tool.sh');
  });
});
