import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSshServer, tempDir, testEngines, until } from '@pocketdock/testkit';
import type { SshServer, TestEngine } from '@pocketdock/testkit';
import { EngineClient, EngineError } from '../../src/index.js';
import type { ConnectOptions } from '../../src/index.js';
import { coreCalls } from '../remote/core-calls.js';

const thrown = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

// Every ssh channel starts a dial-stdio process on the far side through sshd: seconds each on a loaded 2-core machine.
jest.setTimeout(180_000);

// One sshd for the file (its start costs key generation); every test makes its own clients and closes them.
let sshd: SshServer;
beforeAll(async () => {
  sshd = await startSshServer();
}, 30_000);
afterAll(async () => {
  await sshd?.[Symbol.asyncDispose]();
});

/** No agent, no home: only what the test gives counts. */
const isolated = { env: { USER: 'root' }, homedir: '/nonexistent' };

function sshOptions(engine: TestEngine, extra: ConnectOptions['ssh'] = {}): ConnectOptions {
  // The socket path after the host: `docker -H unix://...` / `podman --url unix://...` on the far side.
  return {
    dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${engine.socketPath}`,
    ssh: { identityFile: sshd.clientKey, knownHostsFiles: [sshd.knownHosts], engine: engine.name, agent: false, ...extra },
    host: isolated,
  };
}

describe.each(testEngines())('ssh on $name', (engine: TestEngine) => {
  it('the core calls over dial-stdio (ping, JSON, events stream, hijacked exec with half-close, archive up and down)', async () => {
    await using client = await EngineClient.connect(sshOptions(engine));
    expect(client.transport).toBe('ssh');
    expect(client.address).toBe(`ssh://root@127.0.0.1:${sshd.port} (${engine.name} ${engine.name === 'docker' ? '-H' : '--url'} unix://${engine.socketPath} system dial-stdio)`);
    await coreCalls(client, engine);
  });

  it('per-operation connections, a hashed known_hosts, and 8 concurrent calls on channels of ONE ssh connection', async () => {
    await until(async () => (await sshd.connections()) === 0, { what: 'earlier tests to have closed theirs', timeoutMs: 30_000 });
    await using client = await EngineClient.connect({ ...sshOptions(engine, { knownHostsFiles: [sshd.hashedKnownHosts] }), connectionMode: 'per-operation' });
    // not /version: Podman 4.3 takes seconds to compose it, whatever the transport
    const lists = await Promise.all(Array.from({ length: 8 }, () => client.json<unknown[]>({ path: '/containers/json', query: { limit: 1 } })));
    expect(lists.every((l) => Array.isArray(l))).toBe(true);
    expect(await sshd.connections()).toBe(1);
  });

  it('an unknown host is refused with ENGINE_SSH_HOST_UNKNOWN naming host and fingerprint; accepted when told', async () => {
    await using empty = await tempDir();
    const knownHosts = join(empty.path, 'known_hosts');
    await writeFile(knownHosts, '');
    const err = await thrown(EngineClient.connect(sshOptions(engine, { knownHostsFiles: [knownHosts] })));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_SSH_HOST_UNKNOWN');
    expect((err as Error).message).toContain(`[127.0.0.1]:${sshd.port}`);
    expect((err as Error).message).toContain(sshd.hostFingerprint);
    await using pinned = await EngineClient.connect(sshOptions(engine, { knownHostsFiles: [knownHosts], hostKeyFingerprint: sshd.hostFingerprint }));
    expect(pinned.engine).toBe(engine.name);
    await using told = await EngineClient.connect(sshOptions(engine, { knownHostsFiles: [knownHosts], acceptUnknownHost: true }));
    expect(told.engine).toBe(engine.name);
  });

  it('a changed host key is refused (ENGINE_SSH_HOST_KEY_CHANGED), even with acceptUnknownHost', async () => {
    const err = await thrown(EngineClient.connect(sshOptions(engine, { knownHostsFiles: [sshd.wrongKnownHosts], acceptUnknownHost: true })));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_SSH_HOST_KEY_CHANGED');
    expect((err as Error).message).toContain(sshd.hostFingerprint);
  });

  it('a key the host does not know: ENGINE_SSH_AUTH_FAILED naming the transport and host', async () => {
    const err = await thrown(EngineClient.connect(sshOptions(engine, { identityFile: join(sshd.dir, 'other_host_key') })));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_SSH_AUTH_FAILED');
    expect((err as Error).message).toContain(`ssh://root@127.0.0.1:${sshd.port}`);
  });

  it('a remote command that fails: ENGINE_SSH_FAILED with its stderr (no such socket there)', async () => {
    const err = await thrown(EngineClient.connect({ ...sshOptions(engine), dockerHost: `ssh://root@127.0.0.1:${sshd.port}/run/pocketdock-no-such.sock` }));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_SSH_FAILED');
    expect((err as Error).message).toContain('pocketdock-no-such.sock');
  });

  it('DOCKER_HOST=ssh:// with a default key in ~/.ssh and ~/.ssh/known_hosts, as the docker CLI reads them', async () => {
    await using home = await tempDir();
    await mkdir(join(home.path, '.ssh'), { mode: 0o700 });
    await copyFile(sshd.clientKey, join(home.path, '.ssh', 'id_ed25519'));
    await chmod(join(home.path, '.ssh', 'id_ed25519'), 0o600);
    await writeFile(join(home.path, '.ssh', 'known_hosts'), await readFile(sshd.hashedKnownHosts));
    const env = { USER: 'root', DOCKER_HOST: `ssh://127.0.0.1:${sshd.port}${engine.socketPath}` };
    await using client = await EngineClient.connect({ host: { env, homedir: home.path }, ssh: { engine: engine.name } });
    expect([client.transport, client.engine]).toEqual(['ssh', engine.name]);
  });

  it('detection: a Docker context (docker) or a Podman connection in containers.conf (podman) naming the ssh engine', async () => {
    await using home = await tempDir();
    await mkdir(join(home.path, '.ssh'), { mode: 0o700 });
    await writeFile(join(home.path, '.ssh', 'known_hosts'), await readFile(sshd.knownHosts));
    const uri = `ssh://root@127.0.0.1:${sshd.port}${engine.socketPath}`;
    let env: Record<string, string>;
    if (engine.name === 'docker') {
      const id = createHash('sha256').update('remote-ssh').digest('hex');
      await mkdir(join(home.path, '.docker/contexts/meta', id), { recursive: true });
      await writeFile(join(home.path, '.docker/contexts/meta', id, 'meta.json'), JSON.stringify({ Name: 'remote-ssh', Endpoints: { docker: { Host: uri } } }));
      env = { USER: 'root', DOCKER_CONTEXT: 'remote-ssh' };
    } else {
      await mkdir(join(home.path, '.config/containers'), { recursive: true });
      const conf = `[engine.service_destinations.remote]\nuri = "${uri}"\nidentity = "${sshd.clientKey}"\n`;
      await writeFile(join(home.path, '.config/containers/containers.conf'), conf);
      env = { USER: 'root', CONTAINER_CONNECTION: 'remote' };
    }
    const ssh = engine.name === 'docker' ? { identityFile: sshd.clientKey } : {};
    await using client = await EngineClient.connect({ host: { env, homedir: home.path }, ssh });
    expect([client.transport, client.engine]).toEqual(['ssh', engine.name]);
    expect(client.address).toContain(`${engine.name} ${engine.name === 'docker' ? '-H' : '--url'} unix://${engine.socketPath}`);
  });

  it('close() ends a stream and the ssh connection (sshd has no connection left); later calls fail with ENGINE_CLOSED', async () => {
    await until(async () => (await sshd.connections()) === 0, { what: 'earlier tests to have closed theirs', timeoutMs: 30_000 });
    const client = await EngineClient.connect(sshOptions(engine));
    const stream = await client.jsonLines({ path: '/events' });
    const streamError = new Promise((resolve) => stream.once('error', resolve));
    await client.json({ path: '/version' });
    expect(await sshd.connections()).toBeGreaterThan(0);
    await client.close();
    await expect(streamError).resolves.toMatchObject({ code: 'ENGINE_CLOSED' });
    expect(stream.destroyed).toBe(true);
    await expect(client.json({ path: '/version' })).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
    await until(async () => (await sshd.connections()) === 0, { what: 'sshd to have no connection left', timeoutMs: 30_000 });
  });
});
