import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { rawRequest, tempDir, testEngines } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { cli } from './cli.js';
import { buildJson, exportJson, importJson, profilesJson } from './schemas.js';

jest.setTimeout(180_000);

const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';
const unique = (engine: TestEngine, what: string): string => `pdcli-${what}-${engine.name}-${process.pid}-${Date.now().toString(36)}`;
// The python profile runs mmdebstrap (minutes on a first build): only when asked.
const slow = process.env.POCKETDOCK_TEST_SLOW === '1' ? it : it.skip;

describe.each(testEngines())('pocketdock profiles, build, export and import on $name (no registry)', (engine) => {
  const g = ['--socket', engine.socketPath];
  const containers: string[] = [];
  const images: string[] = [];

  afterAll(async () => {
    for (const c of containers) await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${c}?force=true` }).catch(() => undefined);
    for (const i of images) await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/images/${i}?force=true` }).catch(() => undefined);
  });

  /** A container of `image` runs `argv`; its output. */
  const runIn = async (image: string, argv: string[]): Promise<{ status: number | null; stdout: string }> => {
    const name = unique(engine, 'img');
    containers.push(name);
    const c = await cli([...g, 'create', '--name', name, '--image', image, '-l', `pocketdock.test-run=${RUN}`]);
    expect(c).toMatchObject({ status: 0, stderr: '' });
    const r = await cli([...g, 'run', '--no-history', name, '--', ...argv]);
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${name}?force=true` });
    return r;
  };

  it('profiles lists busybox, node and python, each with its image and whether it is there', async () => {
    const r = await cli([...g, '--json', 'profiles']);
    expect(r.status).toBe(0);
    expect(profilesJson.parse(JSON.parse(r.stdout)).map((p) => [p.name, p.image, p.slow])).toEqual([
      ['busybox', 'pocketdock/busybox:latest', false],
      ['node', 'pocketdock/node:latest', false],
      ['python', 'pocketdock/python:latest', true],
    ]);
    expect((await cli([...g, 'profiles'])).stdout).toMatch(/^PROFILE +IMAGE +PRESENT/);
  });

  it('build busybox and node from the root filesystems tools/rootfs.sh makes; the images run', async () => {
    const busybox = `${unique(engine, 'bb')}:t`;
    images.push(busybox);
    const b = await cli([...g, '--json', 'build', 'busybox', '--tag', busybox]);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(buildJson.parse(JSON.parse(b.stdout))).toMatchObject([{ profile: 'busybox', image: busybox }]);
    expect(await runIn(busybox, ['sh', '-c', 'echo "$PATH"; ls /bin/sh'])).toMatchObject({ status: 0, stdout: '/bin\n/bin/sh\n' });
    const node = `${unique(engine, 'node')}:t`;
    images.push(node);
    const n = await cli([...g, '-q', 'build', 'node', '--tag', node]);
    expect(n).toEqual({ status: 0, stdout: `${node}\n`, stderr: '' });
    expect(await runIn(node, ['node', '-e', 'console.log(6 * 7, process.version)'])).toMatchObject({ status: 0, stdout: `42 ${process.version}\n` });
  }, 600_000);

  it('build refuses an unknown profile, --tag for two, and a checkout with no tools', async () => {
    const unknown = await cli([...g, 'build', 'cobol']);
    expect(unknown.status).toBe(125);
    expect(unknown.stderr).toContain('error CLI_UNKNOWN_PROFILE: no profile cobol');
    expect((await cli([...g, 'build', 'busybox', 'node', '--tag', 'x:y'])).stderr).toContain('error CLI_INVALID_ARGUMENT');
    await using dir = await tempDir();
    const none = await cli([...g, 'build', 'busybox', '--tools', dir.path]);
    expect(none.status).toBe(125);
    expect(none.stderr).toContain('error CLI_TOOLS_NOT_FOUND');
  });

  it('export -o file.tar.gz, then import it back: the same files, no registry', async () => {
    await using dir = await tempDir();
    const ref = `${unique(engine, 'exp')}:v1`;
    images.push(ref);
    // a tagged copy of the test image, so removing it never touches the test image
    const tag = await rawRequest({ socketPath: engine.socketPath, method: 'POST', path: `/v1.41/images/pocketdock/busybox:test/tag?repo=${ref.split(':')[0]}&tag=v1` });
    expect(tag.status).toBeLessThan(300);
    const file = join(dir.path, 'img.tar.gz');
    const e = await cli([...g, '--json', 'export', ref, '-o', file]);
    expect(e.status).toBe(0);
    expect(exportJson.parse(JSON.parse(e.stdout))).toMatchObject({ image: ref, file });
    expect(execFileSync('gzip', ['-t', file]).length).toBe(0);
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/images/${ref}` });
    const i = await cli([...g, '--json', 'import', file]);
    expect(i.status).toBe(0);
    // Podman names what it loads in full (`docker.io/library/<name>`, or `localhost/<name>`): the same image.
    const short = (name: string): string => name.replace(/^(docker\.io\/library|localhost)\//, '');
    expect(importJson.parse(JSON.parse(i.stdout)).images.map(short)).toContain(ref);
    expect(await runIn(ref, ['echo', 'imported'])).toMatchObject({ status: 0, stdout: 'imported\n' });
    const missing = await cli([...g, 'export', 'pocketdock/nothing-here:none', '-o', join(dir.path, 'x.tar')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error CLI_INVALID_ARGUMENT: no image pocketdock/nothing-here:none');
  });

  it('import FILE IMAGE makes an image from a root filesystem tarball; bad files are coded errors', async () => {
    await using dir = await tempDir();
    const root = join(dir.path, 'rootfs');
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    for (const a of ['sh', 'echo', 'sleep', 'cat']) await symlink('busybox', join(root, 'bin', a));
    const tar = join(dir.path, 'rootfs.tar');
    execFileSync('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
    const ref = `${unique(engine, 'rootfs')}:v1`;
    images.push(ref);
    const r = await cli([...g, 'import', tar, ref]);
    expect(r).toEqual({ status: 0, stdout: `${ref}\n`, stderr: '' });
    expect(await runIn(ref, ['/bin/echo', 'from a rootfs'])).toMatchObject({ status: 0, stdout: 'from a rootfs\n' });
    const none = await cli([...g, 'import', join(dir.path, 'missing.tar')]);
    expect(none.status).toBe(125);
    expect(none.stderr).toContain('error CLI_IO_FAILED');
    const badRef = await cli([...g, 'import', tar, 'Bad Ref']);
    expect(badRef.status).toBe(2);
  });

  slow('build python: a Debian image with python3, from Debian packages (mmdebstrap)', async () => {
    const ref = `${unique(engine, 'py')}:t`;
    images.push(ref);
    const b = await cli([...g, '-q', 'build', 'python', '--tag', ref]);
    expect(b).toEqual({ status: 0, stdout: `${ref}\n`, stderr: '' });
    expect(await runIn(ref, ['python3', '-c', 'import sys; print(sys.version_info[0] * 14)'])).toMatchObject({ status: 0, stdout: '42\n' });
  }, 1_800_000);
});
