import { EngineClient, defaultStrategies, detectSocket } from '../src/index.js';
import type { DetectionHost } from '../src/index.js';
import { failure } from './fake-engine.js';
import { fakeHost } from './fake-host.js';

const ALIVE = new Set<string>();
const probe = (path: string): Promise<void> => (ALIVE.has(path) ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED')));
const detect = (host: DetectionHost) => detectSocket(host, defaultStrategies(host), probe);

const USER_CONF = '/home/u/.config/containers/containers.conf';
const SYSTEM_CONF = '/etc/containers/containers.conf';
const JSON_FILE = '/home/u/.config/containers/podman-connections.json';
const CONF = `
[engine]
active_service = "prod"
[engine.service_destinations]
  [engine.service_destinations.prod]
  uri = "ssh://core@build.example:2222/run/user/1000/podman/podman.sock"
  identity = "/home/u/.ssh/build_key"
  [engine.service_destinations.local]
  uri = "unix:///run/user/1000/podman/podman.sock"
`;

describe('Podman connections', () => {
  beforeEach(() => ALIVE.clear());

  it('$CONTAINER_CONNECTION names a containers.conf service destination: ssh with its identity, as podman', async () => {
    const host = fakeHost({ env: { CONTAINER_CONNECTION: 'prod' }, files: { [USER_CONF]: CONF } });
    await expect(detect(host)).resolves.toEqual({
      remote: 'ssh://core@build.example:2222/run/user/1000/podman/podman.sock',
      ssh: { engine: 'podman', identityFile: '/home/u/.ssh/build_key' },
      source: 'Podman connection "prod" ($CONTAINER_CONNECTION)',
    });
  });

  it('a unix:// connection is a configured socket; /etc/containers/containers.conf is read too, the user file wins', async () => {
    ALIVE.add('/run/user/1000/podman/podman.sock');
    const system = '[engine.service_destinations.local]\nuri = "unix:///run/elsewhere.sock"\n[engine.service_destinations.sys]\nuri = "unix:///run/sys.sock"\n';
    const host = fakeHost({ env: { CONTAINER_CONNECTION: 'local' }, files: { [USER_CONF]: CONF, [SYSTEM_CONF]: system }, sockets: ['/run/user/1000/podman/podman.sock'] });
    await expect(detect(host)).resolves.toMatchObject({ socketPath: '/run/user/1000/podman/podman.sock' });
    ALIVE.add('/run/sys.sock');
    const sys = fakeHost({ env: { CONTAINER_CONNECTION: 'sys' }, files: { [USER_CONF]: CONF, [SYSTEM_CONF]: system }, sockets: ['/run/sys.sock'] });
    await expect(detect(sys)).resolves.toMatchObject({ socketPath: '/run/sys.sock' });
  });

  it('podman-connections.json (Podman 5) and $XDG_CONFIG_HOME', async () => {
    const json = JSON.stringify({ Connection: { Default: 'b', Connections: { b: { URI: 'ssh://root@10.0.0.9/run/podman/podman.sock', Identity: '/k', IsMachine: false } } } });
    const host = fakeHost({ env: { CONTAINER_CONNECTION: 'b', XDG_CONFIG_HOME: '/cfg' }, files: { '/cfg/containers/podman-connections.json': json } });
    await expect(detect(host)).resolves.toMatchObject({ remote: 'ssh://root@10.0.0.9/run/podman/podman.sock', ssh: { engine: 'podman', identityFile: '/k' } });
  });

  it('$CONTAINER_HOST (with $CONTAINER_SSHKEY) when no connection is named; $DOCKER_HOST wins over both', async () => {
    const host = fakeHost({ env: { CONTAINER_HOST: 'ssh://me@h:22/run/podman/podman.sock', CONTAINER_SSHKEY: '/key' } });
    await expect(detect(host)).resolves.toEqual({ remote: 'ssh://me@h:22/run/podman/podman.sock', ssh: { engine: 'podman', identityFile: '/key' }, source: '$CONTAINER_HOST' });
    const both = fakeHost({ env: { CONTAINER_HOST: 'ssh://me@h', DOCKER_HOST: 'tcp://127.0.0.1:2375' } });
    await expect(detect(both)).resolves.toMatchObject({ remote: 'tcp://127.0.0.1:2375', source: '$DOCKER_HOST' });
  });

  it('the default connection applies only after every local place; machine connections are left to the machine strategy', async () => {
    ALIVE.add('/var/run/docker.sock');
    const files = { [USER_CONF]: CONF };
    await expect(detect(fakeHost({ files, sockets: ['/var/run/docker.sock'] }))).resolves.toMatchObject({ socketPath: '/var/run/docker.sock' });
    ALIVE.clear();
    await expect(detect(fakeHost({ files }))).resolves.toMatchObject({ remote: 'ssh://core@build.example:2222/run/user/1000/podman/podman.sock', source: 'Podman connection "prod" (active_service in /home/u/.config/containers/containers.conf)' });
    const machine = JSON.stringify({ Connection: { Default: 'm', Connections: { m: { URI: 'ssh://core@127.0.0.1:50000/run/podman.sock', IsMachine: true } } } });
    const err = await failure(detect(fakeHost({ files: { [JSON_FILE]: machine } })));
    expect(err.code).toBe('ENGINE_NOT_FOUND');
    expect(err.message).toContain('Podman machine connection');
  });

  it('an undefined connection, a broken containers.conf or podman-connections.json: ENGINE_INVALID_CONFIG', async () => {
    await expect(failure(detect(fakeHost({ env: { CONTAINER_CONNECTION: 'nope' }, files: { [USER_CONF]: CONF } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
    await expect(failure(detect(fakeHost({ env: { CONTAINER_CONNECTION: 'x' }, files: { [USER_CONF]: '[engine\n' } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
    await expect(failure(detect(fakeHost({ files: { [JSON_FILE]: '{' } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
    const dangling = '[engine]\nactive_service = "gone"\n';
    await expect(failure(detect(fakeHost({ files: { [USER_CONF]: dangling } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG', message: expect.stringContaining('"gone"') });
  });

  it('connect() carries a connection\'s identity file to the ssh transport (checked before any connection)', async () => {
    const host = fakeHost({ env: { CONTAINER_CONNECTION: 'prod' }, files: { [USER_CONF]: CONF } });
    const err = await failure(EngineClient.connect({ host }));
    expect(err.code).toBe('ENGINE_SSH_CONFIG');
    expect(err.message).toContain('/home/u/.ssh/build_key');
  });
});
