import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '../../..');

async function imageIds(image = 'pocketdock/busybox:test'): Promise<string[]> {
  const ids: string[] = [];
  for (const cli of [['docker', '--host', 'unix:///var/run/docker.sock'], ['podman']]) {
    const { stdout } = await run(cli[0]!, [...cli.slice(1), 'image', 'inspect', '--format', '{{.Id}}', image]);
    ids.push(stdout.trim());
  }
  return ids;
}

// The setup scripts are what every fresh machine and every CI run depends on: running them again must change nothing.
describe('tools/', () => {
  it('engines.sh up is a no-op when both engines answer, and status reports both', async () => {
    const up = await run('bash', [join(root, 'tools/engines.sh'), 'up']);
    expect(up.stderr).toMatch(/docker: already answering on \/var\/run\/docker.sock/);
    expect(up.stderr).toMatch(/podman: already answering on \/run\/podman\/podman.sock/);
    const status = await run('bash', [join(root, 'tools/engines.sh'), 'status']);
    expect(status.stdout).toMatch(/^docker +\/var\/run\/docker.sock +version \S+ +API 1\.\d+/m);
    expect(status.stdout).toMatch(/^podman +\/run\/podman\/podman.sock +version \S+ +API 1\.\d+/m);
  });

  it('images.sh leaves a present image alone', async () => {
    const before = await imageIds();
    const { stderr } = await run('bash', [join(root, 'tools/images.sh')]);
    expect(stderr).toMatch(/docker: pocketdock\/busybox:test present/);
    expect(stderr).toMatch(/podman: pocketdock\/busybox:test present/);
    expect(await imageIds()).toEqual(before);
  });

  it('flow-image.sh leaves an up-to-date flow image alone', async () => {
    const before = await imageIds('pocketdock/node-flow:test');
    const { stderr } = await run('bash', [join(root, 'tools/flow-image.sh')]);
    expect(stderr).toMatch(/docker: pocketdock\/node-flow:test present/);
    expect(stderr).toMatch(/podman: pocketdock\/node-flow:test present/);
    expect(stderr).not.toMatch(/importing/);
    expect(await imageIds('pocketdock/node-flow:test')).toEqual(before);
  });
});
