import { link } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startTestContainer, tempDir, testEngines, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { EngineClient, detectionHost } from '../../src/index.js';
import type { ConnectionMode, DetectionFs } from '../../src/index.js';
import { collect } from '../fake-engine.js';

/** Splits an 8-byte-framed exec stream into stdout and stderr text (enough for a test; stream-demux does it for real). */
function deframe(bytes: Buffer): { stdout: string; stderr: string } {
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

const PODMAN_PATHS = ['/run/podman/podman.sock'];
/** The real file system, minus Podman's sockets: a machine with Docker only. */
function withoutPodman(fs: DetectionFs): DetectionFs {
  const gone = (path: string) => Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));
  return { ...fs, stat: (path) => (PODMAN_PATHS.includes(path) || path.includes('/podman/') ? gone(path) : fs.stat(path)) };
}

describe.each(testEngines())('EngineClient on $name', (engine: TestEngine) => {
  it('pings, negotiates API 1.41 and identifies the engine', async () => {
    await using client = await EngineClient.connect({ socketPath: engine.socketPath });
    expect(client.engine).toBe(engine.name);
    expect(client.apiVersion).toBe('1.41');
    const ping = await client.request({ path: '/_ping' });
    expect(ping.status).toBe(200);
    expect(ping.headers['api-version']).toBe('1.41');
    expect((await collect(ping.body)).toString()).toBe('OK');
    const version = await client.json<{ ApiVersion: string; Components: { Name: string }[] }>({ path: '/version' });
    expect(version.Components.map((c) => c.Name)).toContain(engine.name === 'docker' ? 'Engine' : 'Podman Engine');
    const err = await client.json({ path: '/containers/pocketdock-no-such-container/json' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 404, method: 'GET', path: '/v1.41/containers/pocketdock-no-such-container/json' });
  });

  it('apiVersion 1.40 is what it speaks: every path under /v1.40', async () => {
    await using client = await EngineClient.connect({ socketPath: engine.socketPath, apiVersion: '1.40' });
    expect(client.apiVersion).toBe('1.40');
    const err = await client.json({ path: '/containers/pocketdock-no-such-container/json' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 404, path: '/v1.40/containers/pocketdock-no-such-container/json' });
  });

  it('exec through hijack: cat echoes stdin and exits after stdin EOF (half-close)', async () => {
    await using container = await startTestContainer(engine);
    await using client = await EngineClient.connect({ socketPath: engine.socketPath });
    const exec = await client.json<{ Id: string }>({
      method: 'POST',
      path: `/containers/${container.id}/exec`,
      body: { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false },
    });
    const stream = await client.hijack({ path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: false } });
    const output = collect(stream);
    stream.write('hello\n');
    await new Promise((r) => setTimeout(r, 50));
    stream.end('world\n');
    expect(deframe(await output)).toEqual({ stdout: 'hello\nworld\n', stderr: '' });
    let info = await client.json<{ Running: boolean; ExitCode: number | null }>({ path: `/exec/${exec.Id}/json` });
    for (let i = 0; info.Running && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await client.json({ path: `/exec/${exec.Id}/json` });
    }
    expect(info).toMatchObject({ Running: false, ExitCode: 0 });
  });

  it.each<ConnectionMode>(['keep-alive', 'per-operation'])('an events stream stays open while 50 concurrent json() calls complete (%s)', async (connectionMode) => {
    await using container = await startTestContainer(engine);
    await using client = await EngineClient.connect({ socketPath: engine.socketPath, connectionMode });
    const events = await client.jsonLines<{ id?: string; Actor?: { ID?: string }; Action?: string }>({
      path: '/events',
      query: { filters: { type: ['container'], label: [`pocketdock.test-run=${testLabels()['pocketdock.test-run']}`] } },
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => client.json<{ Id: string }>({ path: `/containers/${container.id}/json` })));
    expect(results.every((r) => r.Id === container.id)).toBe(true);
    // the stream is still alive: it delivers the event of a container started now
    await using second = await startTestContainer(engine);
    for await (const event of events) {
      if ((event.Actor?.ID ?? event.id) === second.id && event.Action === 'start') break;
    }
    expect(events.destroyed).toBe(true);
  });

  it('auto-detection finds the engine at its default path, skipping a stale socket', async () => {
    await using dir = await tempDir();
    // a stale socket: a hard link to a socket file whose server has gone
    const live = join(dir.path, 'live.sock');
    const stale = join(dir.path, 'stale.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(live, resolve));
    await link(live, stale);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const real = detectionHost();
    const host = {
      env: { POCKETDOCK_SOCKET: stale },
      platform: 'linux' as const,
      cwd: dir.path,
      homedir: dir.path,
      fs: engine.name === 'docker' ? withoutPodman(real.fs) : real.fs,
    };
    await using client = await EngineClient.connect({ host });
    expect(client.engine).toBe(engine.name);
    expect(client.socketPath).toBe(engine.name === 'docker' ? '/var/run/docker.sock' : '/run/podman/podman.sock');
    await using viaDockerHost = await EngineClient.connect({ host: { ...host, env: { DOCKER_HOST: `unix://${engine.socketPath}` } } });
    expect(viaDockerHost.engine).toBe(engine.name);
  });
});
