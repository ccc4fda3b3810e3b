import { defaultStrategies, detectSocket, findConfigFiles } from '../src/index.js';
import { failure } from './fake-engine.js';
import { fakeHost } from './fake-host.js';

describe('pocketdock.yaml discovery', () => {
  it('finds the nearest file walking up from cwd, then ~/.pocketdock/pocketdock.yaml', async () => {
    const host = fakeHost({
      cwd: '/a/b/c',
      files: { '/a/pocketdock.yaml': 'socket: /x.sock', '/pocketdock.yaml': 'socket: /far.sock', '/home/u/.pocketdock/pocketdock.yaml': 'socket: /home.sock' },
    });
    await expect(findConfigFiles(host)).resolves.toEqual([
      { path: '/a/pocketdock.yaml', socket: '/x.sock' },
      { path: '/home/u/.pocketdock/pocketdock.yaml', socket: '/home.sock' },
    ]);
  });

  it('prefers .pocketdock/pocketdock.yaml over pocketdock.yaml in the same directory', async () => {
    const host = fakeHost({ cwd: '/a', files: { '/a/pocketdock.yaml': 'socket: /plain.sock', '/a/.pocketdock/pocketdock.yaml': 'socket: /dot.sock' } });
    await expect(findConfigFiles(host)).resolves.toEqual([{ path: '/a/.pocketdock/pocketdock.yaml', socket: '/dot.sock' }]);
  });

  it('lists the home file once when walking up reaches it', async () => {
    const host = fakeHost({ cwd: '/home/u/proj', files: { '/home/u/.pocketdock/pocketdock.yaml': 'socket: /h.sock' } });
    await expect(findConfigFiles(host)).resolves.toEqual([{ path: '/home/u/.pocketdock/pocketdock.yaml', socket: '/h.sock' }]);
  });

  it('the socket comes from the nearest file that has one; a relative path resolves against that file', async () => {
    const host = fakeHost({
      cwd: '/a/b',
      sockets: ['/a/run/engine.sock'],
      files: { '/a/b/pocketdock.yaml': 'other: 1\n', '/home/u/.pocketdock/pocketdock.yaml': 'socket: unix:///h.sock' },
    });
    const strategy = defaultStrategies(host)[1]!;
    await expect(strategy.resolve()).resolves.toEqual({ candidates: ['/h.sock'] });
    const host2 = fakeHost({ cwd: '/a/b', sockets: ['/a/run/engine.sock'], files: { '/a/pocketdock.yaml': 'socket: ./run/engine.sock\n' } });
    await expect(detectSocket(host2, defaultStrategies(host2), () => Promise.resolve())).resolves.toEqual({
      socketPath: '/a/run/engine.sock',
      source: 'pocketdock.yaml',
    });
  });

  it('says which files lack a socket key', async () => {
    const host = fakeHost({ cwd: '/a', files: { '/a/pocketdock.yaml': '# empty\n' } });
    await expect(defaultStrategies(host)[1]!.resolve()).resolves.toEqual({ candidates: [], note: 'no "socket:" in /a/pocketdock.yaml' });
  });

  it.each([
    ['invalid YAML', 'socket: [unclosed'],
    ['not a mapping', '- a\n- b\n'],
    ['a non-string socket', 'socket: 42\n'],
    ['an empty socket path', 'socket: "unix://"\n'],
  ])('%s: ENGINE_INVALID_CONFIG naming the file', async (_what, text) => {
    const host = fakeHost({ cwd: '/a', files: { '/a/pocketdock.yaml': text } });
    const err = await failure(detectSocket(host, defaultStrategies(host), () => Promise.resolve()));
    expect(err.code).toBe('ENGINE_INVALID_CONFIG');
    expect(err.message).toContain('/a/pocketdock.yaml');
  });

  it('a tcp:// socket in the config: ENGINE_UNSUPPORTED_HOST', async () => {
    const host = fakeHost({ cwd: '/a', files: { '/a/pocketdock.yaml': 'socket: tcp://1.2.3.4:2375' } });
    expect((await failure(detectSocket(host, defaultStrategies(host), () => Promise.resolve()))).code).toBe('ENGINE_UNSUPPORTED_HOST');
  });
});
