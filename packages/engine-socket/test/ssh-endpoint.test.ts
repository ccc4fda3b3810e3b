import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@pocketdock/testkit';
import { EngineClient, EngineError } from '../src/index.js';
import { sshEndpoint } from '../src/remote/ssh-endpoint.js';
import type { SshContext } from '../src/remote/ssh-endpoint.js';

const run = promisify(execFile);
const failure = (p: Promise<unknown>): Promise<EngineError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => {
      if (!EngineError.is(e)) throw e;
      return e;
    },
  );
const ctx = (over: Partial<SshContext> = {}): SshContext => ({ env: { USER: 'me' }, homedir: '/nonexistent', origin: '$DOCKER_HOST', ...over });

describe('ssh:// addresses', () => {
  it('user, port and the dial-stdio command as the docker CLI reads them; podman and a socket path on the far side', async () => {
    await expect(sshEndpoint('ssh://build.example', ctx({ ssh: { agent: '/run/agent.sock' } }))).resolves.toMatchObject({
      host: 'build.example',
      port: 22,
      user: 'me',
      ssh: { command: 'docker system dial-stdio', agent: '/run/agent.sock', acceptUnknownHost: false, knownHostsFiles: ['/nonexistent/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts'] },
    });
    const podman = await sshEndpoint('ssh://core@[::1]:2222/run/user/1000/podman/podman.sock', ctx({ ssh: { engine: 'podman' }, env: { SSH_AUTH_SOCK: '/a.sock' } }));
    expect(podman).toMatchObject({ host: '::1', port: 2222, user: 'core', ssh: { command: 'podman --url unix:///run/user/1000/podman/podman.sock system dial-stdio', agent: '/a.sock' } });
    await expect(sshEndpoint('ssh://h/var/run/docker.sock', ctx())).resolves.toMatchObject({ ssh: { command: 'docker -H unix:///var/run/docker.sock system dial-stdio' } });
  });

  it.each([
    ['a password', 'ssh://me:hunter2@host'],
    ['a socket path a shell would read', 'ssh://host/run/x.sock;rm%20-rf%20~'],
    ['a relative-looking path with spaces', 'ssh://host/run/my%20engine.sock'],
    ['a query', 'ssh://host?x=1'],
  ])('refuses %s (ENGINE_INVALID_CONFIG) without repeating it', async (_what, address) => {
    const err = await failure(sshEndpoint(address, ctx()));
    expect(err.code).toBe('ENGINE_INVALID_CONFIG');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('rm');
  });

  it('identity files: read like ssh does (0600, ours), an encrypted key needs its passphrase, defaults from ~/.ssh', async () => {
    await using dir = await tempDir();
    const key = join(dir.path, 'id');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-phrase', '-f', key]);
    const open = await failure(sshEndpoint('ssh://h', ctx({ ssh: { identityFile: key } })));
    expect(open.code).toBe('ENGINE_SSH_CONFIG');
    expect(open.message).toContain('passphrase');
    await expect(sshEndpoint('ssh://h', ctx({ ssh: { identityFile: key, passphrase: 'secret-phrase' } }))).resolves.toMatchObject({ ssh: { passphrase: 'secret-phrase' } });
    await chmod(key, 0o640);
    const readable = await failure(sshEndpoint('ssh://h', ctx({ ssh: { identityFile: key, passphrase: 'secret-phrase' } })));
    expect([readable.code, readable.message]).toEqual(['ENGINE_SSH_CONFIG', expect.stringContaining('chmod 600')]);
    await expect(failure(sshEndpoint('ssh://h', ctx({ ssh: { identityFile: join(dir.path, 'nope') } })))).resolves.toMatchObject({ code: 'ENGINE_SSH_CONFIG' });
    // a default key that needs a passphrase is skipped when an agent may hold it
    await mkdir(join(dir.path, '.ssh'));
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'x', '-f', join(dir.path, '.ssh', 'id_ed25519')]);
    const viaAgent = await sshEndpoint('ssh://h', ctx({ homedir: dir.path, env: { USER: 'me', SSH_AUTH_SOCK: '/a.sock' } }));
    expect(viaAgent.ssh.privateKey).toBeUndefined();
    await writeFile(join(dir.path, '.ssh', 'id_ed25519'), 'not a key', { mode: 0o600 });
    await expect(failure(sshEndpoint('ssh://h', ctx({ homedir: dir.path })))).resolves.toMatchObject({ code: 'ENGINE_SSH_CONFIG' });
  });

  it('bad ssh options are ENGINE_INVALID_OPTIONS', async () => {
    await expect(EngineClient.connect({ dockerHost: 'ssh://h', ssh: { hostKeyFingerprint: 'MD5:aa' } })).rejects.toMatchObject({ code: 'ENGINE_INVALID_OPTIONS' });
    await expect(EngineClient.connect({ dockerHost: 'ssh://h', ssh: { engine: 'containerd' as never } })).rejects.toMatchObject({ code: 'ENGINE_INVALID_OPTIONS' });
  });

  it('no key and no agent: ENGINE_SSH_CONFIG before any connection, naming the transport and host', async () => {
    const err = await failure(EngineClient.connect({ dockerHost: 'ssh://me@127.0.0.1:1', host: { env: {}, homedir: '/nonexistent' } }));
    expect(err.code).toBe('ENGINE_SSH_CONFIG');
    expect(err.message).toContain('ssh://me@127.0.0.1:1');
  });

  it('nothing listening: ENGINE_CONNECT_FAILED naming the ssh address', async () => {
    const err = await failure(EngineClient.connect({ dockerHost: 'ssh://me@127.0.0.1:1', ssh: { agent: '/nonexistent/agent.sock' }, host: { env: {}, homedir: '/nonexistent' } }));
    expect(err.code).toBe('ENGINE_CONNECT_FAILED');
    expect(err.message).toContain('ssh://me@127.0.0.1:1');
  });
});
