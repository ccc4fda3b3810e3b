import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { FactoryError } from '../src/index.js';
import { connectOptions } from '../src/wiring.js';
import { isolated, writeTree } from './helpers.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('engine.host, engine.tls, engine.ssh, engine.context: engine-socket options', () => {
  it('a tcp:// host with TLS from the environment variables reaches engine-socket as dockerHost and tls', () => {
    const settings = isolated('/', {
      env: { POCKETDOCK_ENGINE__HOST: 'tcp://10.0.0.5:2376', POCKETDOCK_ENGINE__TLS__CERT_PATH: '/certs', POCKETDOCK_ENGINE__TLS__SERVERNAME: 'engine.example' },
    });
    expect(connectOptions(settings, {}, '/c')).toEqual({
      dockerHost: 'tcp://10.0.0.5:2376',
      tls: { certPath: '/certs', servername: 'engine.example' },
      configFiles: false,
      host: { env: {}, cwd: '/c' },
    });
    expect(settings.explain().find((r) => r.key === 'engine.host')).toMatchObject({ value: 'tcp://10.0.0.5:2376', source: 'env POCKETDOCK_ENGINE__HOST' });
  });

  it('engine.tls.caFile, certFile and keyFile reach engine-socket as they are; relative paths are refused', () => {
    const settings = isolated('/', {
      env: { POCKETDOCK_ENGINE__HOST: 'tcp://10.0.0.5:2376', POCKETDOCK_ENGINE__TLS__CA_FILE: '/etc/ssl/ca.crt', POCKETDOCK_ENGINE__TLS__CERT_FILE: '/me.crt', POCKETDOCK_ENGINE__TLS__KEY_FILE: '/me.key' },
    });
    expect(connectOptions(settings, {}, '/c')).toMatchObject({ tls: { caFile: '/etc/ssl/ca.crt', certFile: '/me.crt', keyFile: '/me.key' } });
    expect(() => isolated('/', { env: { POCKETDOCK_ENGINE__HOST: 'tcp://10.0.0.5:2376', POCKETDOCK_ENGINE__TLS__KEY_FILE: 'me.key' } })).toThrow(/engine\.tls\.keyFile/);
  });

  it('tls.enabled alone is `tls: true`, false is plain; unset leaves DOCKER_TLS_VERIFY and DOCKER_CERT_PATH to engine-socket', () => {
    const on = isolated('/', { overrides: { engine: { host: 'tcp://h:2375', tls: { enabled: true } } } });
    expect(connectOptions(on, {}, '/c')).toMatchObject({ dockerHost: 'tcp://h:2375', tls: true });
    const off = isolated('/', { overrides: { engine: { host: 'tcp://127.0.0.1:2376', tls: { enabled: false } } } });
    expect(connectOptions(off, {}, '/c')).toMatchObject({ tls: false });
    const fromEnv = isolated('/', { overrides: { engine: { host: 'tcp://h:2376' } } });
    const docker = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/d' };
    const options = connectOptions(fromEnv, docker, '/c');
    expect(options.tls).toBeUndefined();
    expect(options.host?.env).toEqual(docker);
  });

  it('an ssh:// host with its key, known_hosts, no agent and Podman; the passphrase is a secret', () => {
    const settings = isolated('/', {
      overrides: {
        engine: {
          host: 'ssh://me@build.example:2222/run/podman/podman.sock',
          ssh: { identityFile: '/k/id', knownHostsFiles: ['/k/known'], agent: false, engine: 'podman', passphrase: 'hunter2', acceptUnknownHost: true },
        },
      },
    });
    expect(connectOptions(settings, {}, '/c')).toMatchObject({
      dockerHost: 'ssh://me@build.example:2222/run/podman/podman.sock',
      ssh: { identityFile: '/k/id', knownHostsFiles: ['/k/known'], agent: false, engine: 'podman', passphrase: 'hunter2', acceptUnknownHost: true },
    });
    expect(settings.explain().find((r) => r.key === 'engine.ssh.passphrase')?.value).toBe('[redacted]');
    expect(settings.explainText()).not.toContain('hunter2');
    const agentOff = isolated('/', { env: { POCKETDOCK_ENGINE__SSH__AGENT: 'false', POCKETDOCK_ENGINE__SSH__KNOWN_HOSTS_FILES: '/a,/b' } });
    expect(agentOff.get('engine.ssh')).toEqual({ agent: false, knownHostsFiles: ['/a', '/b'] });
  });

  it('engine.context is `docker --context`: DOCKER_CONTEXT for detection, and it wins over $DOCKER_HOST', () => {
    const settings = isolated('/', { overrides: { engine: { context: 'remote' } } });
    const options = connectOptions(settings, { DOCKER_HOST: 'tcp://elsewhere:2376', DOCKER_CONTEXT: 'other', DOCKER_CONFIG: '/dc' }, '/c');
    expect(options.host?.env).toEqual({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: '/dc' });
    expect(options.dockerHost).toBeUndefined();
  });

  it('of socket, host and context, the one set in the highest layer wins (explain() shows what it overrode)', async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': 'socket: /run/podman/podman.sock\n' });
    const settings = isolated(dir.path, { overrides: { engine: { host: 'tcp://127.0.0.1:2376' } } });
    expect(settings.get('engine.socket')).toBeUndefined();
    expect(connectOptions(settings, {}, '/c')).toMatchObject({ dockerHost: 'tcp://127.0.0.1:2376' });
    expect(connectOptions(settings, {}, '/c')).not.toHaveProperty('socketPath');
    const row = settings.explain().find((r) => r.key === 'engine.host');
    expect(row).toMatchObject({ value: 'tcp://127.0.0.1:2376', source: 'overrides', overrode: [{ value: '/run/podman/podman.sock' }] });
    const context = isolated(dir.path, { env: { POCKETDOCK_ENGINE__CONTEXT: 'remote' } });
    expect([context.get('engine.socket'), context.get('engine.context')]).toEqual([undefined, 'remote']);
  });

  it('two of them in one layer, or a bad address, type or fingerprint: FACTORY_INVALID_SETTINGS naming the key', () => {
    const both = thrown(() => isolated('/', { overrides: { engine: { socket: '/a.sock', host: 'tcp://h:2376' } } }));
    expect(FactoryError.is(both) && both.code).toBe('FACTORY_INVALID_SETTINGS');
    expect((both as Error).message).toContain('engine.host: set only one of engine.socket, engine.host');
    const bad = thrown(() =>
      isolated('/', {
        env: {
          POCKETDOCK_ENGINE__HOST: 'http://h',
          POCKETDOCK_ENGINE__TLS__CERT_PATH: 'relative',
          POCKETDOCK_ENGINE__SSH__HOST_KEY_FINGERPRINT: 'MD5:00',
          POCKETDOCK_ENGINE__SSH__ENGINE: 'containerd',
        },
      }),
    );
    expect((bad as FactoryError).issues.map((i) => i.key)).toEqual(['engine.host', 'engine.ssh.engine', 'engine.ssh.hostKeyFingerprint', 'engine.tls.certPath']);
  });

  it("the README's remote engine example loads as it is", async () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const yaml = /### Remote engines[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    await using dir = await tempDir();
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': yaml });
    const settings = isolated(dir.path);
    expect(connectOptions(settings, {}, '/c')).toMatchObject({ dockerHost: 'tcp://build.example:2376', tls: { certPath: '/etc/pocketdock/engine-certs' } });
  });
});
