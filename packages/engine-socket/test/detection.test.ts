import { SOCKET_SKIPPED_WARNING, defaultStrategies, detectSocket } from '../src/index.js';
import type { DetectionHost } from '../src/index.js';
import { failure } from './fake-engine.js';
import { fakeHost } from './fake-host.js';

const ALIVE = new Set<string>();
const probe = (path: string): Promise<void> => (ALIVE.has(path) ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED')));
const detect = (host: DetectionHost) => detectSocket(host, defaultStrategies(host), probe);

// Every Linux place, each with a live socket; removing the winner must hand over to the next in the design's order.
const LINUX = {
  env: { POCKETDOCK_SOCKET: '/s/env.sock', DOCKER_HOST: 'unix:///s/docker-host.sock', XDG_RUNTIME_DIR: '/run/user/1000' },
  files: { '/work/proj/pocketdock.yaml': 'socket: /s/config.sock\n' },
};
const ORDER = ['/s/env.sock', '/s/config.sock', '/s/docker-host.sock', '/run/user/1000/podman/podman.sock', '/run/podman/podman.sock', '/var/run/docker.sock'];

describe('socket detection', () => {
  // Skipped configured sockets emit process warnings: caught here, checked where they are the subject.
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    ALIVE.clear();
    warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(() => warnings.mockRestore());
  const skipped = (): string[] =>
    warnings.mock.calls.filter(([, opts]) => (opts as { code?: string } | undefined)?.code === SOCKET_SKIPPED_WARNING).map(([message]) => String(message));

  it('follows the design order on Linux: each place wins only when every earlier one is gone', async () => {
    for (let i = 0; i < ORDER.length; i++) {
      const sockets = ORDER.slice(i);
      for (const s of sockets) ALIVE.add(s);
      const found = await detect(fakeHost({ ...LINUX, sockets }));
      expect(found.socketPath).toBe(ORDER[i]);
    }
  });

  it('names the strategy that found the socket', async () => {
    ALIVE.add('/s/config.sock');
    await expect(detect(fakeHost({ ...LINUX, sockets: ['/s/config.sock'] }))).resolves.toEqual({ socketPath: '/s/config.sock', source: 'pocketdock.yaml' });
  });

  it('configFiles: false reads no pocketdock.yaml (the factory read it): the next place wins', async () => {
    ALIVE.add('/s/config.sock').add('/s/docker-host.sock');
    const host = fakeHost({ ...LINUX, env: { DOCKER_HOST: LINUX.env.DOCKER_HOST }, sockets: ORDER });
    const reads = jest.spyOn(host.fs, 'readFile');
    await expect(detectSocket(host, defaultStrategies(host, { configFiles: false }), probe)).resolves.toEqual({ socketPath: '/s/docker-host.sock', source: '$DOCKER_HOST' });
    expect(reads.mock.calls.map(([path]) => path).filter((p) => p.includes('pocketdock'))).toEqual([]);
    await expect(detect(host)).resolves.toMatchObject({ socketPath: '/s/config.sock', source: 'pocketdock.yaml' });
  });

  it('skips stale sockets (file exists, nothing answers) and non-sockets', async () => {
    ALIVE.add('/var/run/docker.sock');
    const host = fakeHost({ ...LINUX, sockets: ORDER, files: { ...LINUX.files, '/s/env.sock': 'not a socket' } });
    await expect(detect(host)).resolves.toMatchObject({ socketPath: '/var/run/docker.sock', source: 'Docker' });
  });

  it('accepts plain paths and unix:// in POCKETDOCK_SOCKET; relative ones resolve against cwd', async () => {
    ALIVE.add('/work/proj/run/e.sock');
    const host = fakeHost({ env: { POCKETDOCK_SOCKET: 'unix://run/e.sock' }, sockets: ['/work/proj/run/e.sock'] });
    await expect(detect(host)).resolves.toMatchObject({ socketPath: '/work/proj/run/e.sock', source: '$POCKETDOCK_SOCKET' });
  });

  it.each(['npipe:////./pipe/secret-user', 'fd://secret-user'])('DOCKER_HOST=%s: ENGINE_UNSUPPORTED_HOST, naming the scheme, not the address', async (value) => {
    const err = await failure(detect(fakeHost({ env: { DOCKER_HOST: value } })));
    expect(err.code).toBe('ENGINE_UNSUPPORTED_HOST');
    expect(err.message).toContain(`${value.split(':')[0]}://`);
    expect(err.message).not.toContain('secret-user');
    expect(err.message).toContain('POCKETDOCK_SOCKET');
  });

  it('DOCKER_HOST=ssh://... ends detection with the remote address: no probe, no fallback to a local socket', async () => {
    ALIVE.add('/var/run/docker.sock');
    const host = fakeHost({ ...LINUX, env: { DOCKER_HOST: 'ssh://me@build.example:2222' }, sockets: ['/var/run/docker.sock'] });
    await expect(detect(host)).resolves.toEqual({ remote: 'ssh://me@build.example:2222', source: '$DOCKER_HOST' });
  });

  it('DOCKER_HOST=tcp://... ends detection with the remote address: no probe, no fallback to a local socket', async () => {
    ALIVE.add('/var/run/docker.sock');
    const host = fakeHost({ ...LINUX, env: { DOCKER_HOST: 'tcp://10.0.0.1:2376' }, sockets: ['/var/run/docker.sock'] });
    await expect(detect(host)).resolves.toEqual({ remote: 'tcp://10.0.0.1:2376', source: '$DOCKER_HOST' });
  });

  it('an earlier working place wins over an unsupported DOCKER_HOST', async () => {
    ALIVE.add('/s/env.sock');
    await expect(detect(fakeHost({ env: { POCKETDOCK_SOCKET: '/s/env.sock', DOCKER_HOST: 'tcp://x:2375' }, sockets: ['/s/env.sock'] }))).resolves.toMatchObject({
      socketPath: '/s/env.sock',
    });
  });

  it('on macOS: Podman machines (any name, sorted), then Docker Desktop; no Linux-only paths', async () => {
    const machineDir = '/Users/u/.local/share/containers/podman/machine';
    const desktop = '/Users/u/.docker/run/docker.sock';
    ALIVE.add(`${machineDir}/zeta/podman.sock`);
    ALIVE.add(desktop);
    ALIVE.add('/run/podman/podman.sock');
    const host = fakeHost({
      platform: 'darwin',
      homedir: '/Users/u',
      env: { XDG_RUNTIME_DIR: '/run/user/1' },
      sockets: [`${machineDir}/zeta/podman.sock`, desktop, '/run/podman/podman.sock', '/run/user/1/podman/podman.sock'],
      dirs: { [machineDir]: ['zeta', 'alpha'] },
    });
    await expect(detect(host)).resolves.toMatchObject({ socketPath: `${machineDir}/zeta/podman.sock` });
    ALIVE.delete(`${machineDir}/zeta/podman.sock`);
    await expect(detect(host)).resolves.toMatchObject({ socketPath: desktop, source: 'Docker Desktop (macOS)' });
  });

  it('nothing works: ENGINE_NOT_FOUND lists every place tried, why each was rejected, and how to fix it', async () => {
    const host = fakeHost({ env: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, sockets: ['/var/run/docker.sock'], files: { '/run/podman/podman.sock': '' } });
    const err = await failure(detect(host));
    expect(err.code).toBe('ENGINE_NOT_FOUND');
    const lines = err.message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  $POCKETDOCK_SOCKET: not set',
        '  pocketdock.yaml: no pocketdock.yaml in /work/proj or its parents, nor ~/.pocketdock',
        '  $DOCKER_HOST: /var/run/docker.sock: stale or not an engine (ECONNREFUSED)',
        '  rootless Podman ($XDG_RUNTIME_DIR/podman/podman.sock): $XDG_RUNTIME_DIR is not set',
        '  system Podman: /run/podman/podman.sock: exists but is not a socket',
        '  Docker: /var/run/docker.sock: already tried',
        '  Podman machine (macOS): not on macOS (linux)',
        '  Docker Desktop (macOS): not on macOS (linux)',
      ]),
    );
    expect(err.message).toMatch(/set\s+POCKETDOCK_SOCKET/);
  });

  it('reports a missing file as such', async () => {
    const err = await failure(detect(fakeHost({ env: { POCKETDOCK_SOCKET: '/nope.sock' } })));
    expect(err.message).toContain('$POCKETDOCK_SOCKET: /nope.sock: no such file');
  });

  describe('a configured socket that does not answer', () => {
    it('is skipped, the search order kept, with one process warning naming it and why', async () => {
      ALIVE.add('/var/run/docker.sock');
      const host = fakeHost({
        env: { POCKETDOCK_SOCKET: '/s/env.sock', DOCKER_HOST: 'unix:///s/docker-host.sock' },
        files: { '/work/proj/pocketdock.yaml': 'socket: ./config.sock\n' },
        sockets: ['/s/env.sock', '/var/run/docker.sock', '/run/podman/podman.sock'], // env.sock and podman.sock: stale
      });
      await expect(detect(host)).resolves.toEqual({ socketPath: '/var/run/docker.sock', source: 'Docker' });
      expect(skipped()).toEqual([
        '$POCKETDOCK_SOCKET names /s/env.sock, which was skipped: stale or not an engine (ECONNREFUSED); trying the next place',
        'pocketdock.yaml names /work/proj/config.sock, which was skipped: no such file; trying the next place',
        '$DOCKER_HOST names /s/docker-host.sock, which was skipped: no such file; trying the next place',
      ]); // not the stale /run/podman/podman.sock: nobody configured that one
      expect(warnings.mock.calls[0]![1]).toMatchObject({ type: 'PocketdockSocketWarning', code: 'ENGINE_SOCKET_SKIPPED' });
    });

    it('warns once per candidate, even when two settings name it', async () => {
      ALIVE.add('/var/run/docker.sock');
      const host = fakeHost({ env: { POCKETDOCK_SOCKET: '/s/x.sock', DOCKER_HOST: 'unix:///s/x.sock' }, sockets: ['/var/run/docker.sock'] });
      await expect(detect(host)).resolves.toMatchObject({ socketPath: '/var/run/docker.sock' });
      expect(skipped()).toEqual(['$POCKETDOCK_SOCKET names /s/x.sock, which was skipped: no such file; trying the next place']);
    });

    it('no warning when the configured socket answers', async () => {
      ALIVE.add('/s/env.sock');
      await expect(detect(fakeHost({ env: { POCKETDOCK_SOCKET: '/s/env.sock' }, sockets: ['/s/env.sock'] }))).resolves.toMatchObject({ socketPath: '/s/env.sock' });
      expect(skipped()).toEqual([]);
    });

    it('when nothing answers, ENGINE_NOT_FOUND lists each skipped candidate with why it was skipped', async () => {
      const host = fakeHost({
        env: { POCKETDOCK_SOCKET: '/s/env.sock' },
        files: { '/home/u/.pocketdock/pocketdock.yaml': 'socket: unix:///s/home.sock\n', '/s/home.sock': 'a regular file' },
        sockets: ['/s/env.sock'],
      });
      const err = await failure(detect(host));
      expect(err.code).toBe('ENGINE_NOT_FOUND');
      expect(err.message.split('\n')).toEqual(
        expect.arrayContaining([
          '  $POCKETDOCK_SOCKET: /s/env.sock: stale or not an engine (ECONNREFUSED)',
          '  pocketdock.yaml: /s/home.sock: exists but is not a socket',
          '  Docker: /var/run/docker.sock: no such file',
        ]),
      );
      expect(skipped()).toHaveLength(2);
    });
  });
});
