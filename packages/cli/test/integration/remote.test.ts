import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, testLabels, useTransports } from '@pocketdock/testkit';
import type { TransportUnderTest } from '@pocketdock/testkit';
import { cli } from './cli.js';
import { enginesJson } from './schemas.js';

// `--host` and `--context` against a remote engine: the testkit's TLS forwarder on 127.0.0.1 (client certificates
// made by openssl) in front of each real engine. The throwaway sandboxes carry this run's label (removed by `run`,
// and by the global teardown if a run dies).
jest.setTimeout(60_000);
const transports = useTransports({ transports: ['tls'] });

/** Nothing of this machine's settings or Docker configuration: only what the test gives. */
const isolatedEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  DOCKER_HOST: '',
  DOCKER_CONTEXT: '',
  DOCKER_CONFIG: join(home, '.docker'),
  POCKETDOCK_SOCKET: '',
  POCKETDOCK_SANDBOX__LABELS: JSON.stringify(testLabels()),
  ...extra,
});

describe.each(transports)('pocketdock on $label', (t: TransportUnderTest) => {
  it('run --host tcp://127.0.0.1:<port> with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: a throwaway sandbox over TLS', async () => {
    const tls = t.tls()!;
    await using home = await tempDir();
    const before = tls.accepted;
    const env = isolatedEnv(home.path, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.clientDir });
    const r = await cli(['-v', '--host', `tcp://127.0.0.1:${tls.port}`, 'run', '--', 'echo', 'hi'], { cwd: home.path, env });
    expect(r).toMatchObject({ status: 0, stdout: 'hi\n' });
    expect(r.stderr).toContain(`engine ${t.engine.name} at tcp://127.0.0.1:${tls.port} (TLS)`);
    expect(tls.accepted).toBeGreaterThan(before);
  });

  it('engines shows the remote engine in effect: from --host (settings), and from DOCKER_HOST, where detection ends', async () => {
    const tls = t.tls()!;
    await using home = await tempDir();
    const env = isolatedEnv(home.path, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.clientDir });
    const address = `tcp://127.0.0.1:${tls.port}`;
    const byFlag = await cli(['--json', '--host', address, 'engines'], { cwd: home.path, env });
    expect(byFlag.status).toBe(0);
    const rows = enginesJson.parse(JSON.parse(byFlag.stdout));
    expect(rows[0]).toMatchObject({ socketPath: null, address: `${address} (TLS)`, status: 'selected', engine: t.engine.name, reason: 'named by the settings' });
    expect(rows[0]!.source).toContain('settings engine.host');
    expect(rows.filter((row) => row.status === 'selected')).toHaveLength(1);
    expect(rows.find((row) => row.socketPath === t.engine.socketPath)).toMatchObject({ status: 'answers', reason: 'answers, but not used: the settings name engine.host' });

    const byEnv = enginesJson.parse(JSON.parse((await cli(['--json', 'engines'], { cwd: home.path, env: { ...env, DOCKER_HOST: address } })).stdout));
    const remote = byEnv.find((row) => row.address !== null)!;
    expect(remote).toMatchObject({ address: `${address} (TLS)`, status: 'selected', engine: t.engine.name, reason: 'first place that answers' });
    expect(byEnv.find((row) => row.socketPath === t.engine.socketPath)).toMatchObject({ status: 'answers', reason: `answers, but not used: detection ends at ${remote.source}` });

    const table = await cli(['--host', address, 'engines'], { cwd: home.path, env });
    expect(table.stdout).toContain(`${address} (TLS)`);
  });

  it('--host without the certificates: refused with ENGINE_TLS_FAILED (the engine asks for a client certificate)', async () => {
    const tls = t.tls()!;
    await using home = await tempDir();
    const r = await cli(['-H', `tcp://127.0.0.1:${tls.port}`, 'run', '--', 'echo', 'hi'], { cwd: home.path, env: isolatedEnv(home.path, { DOCKER_TLS: '1' }) });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error ENGINE_(TLS_FAILED|CONNECTION_LOST)/);
  });

  it('--context names a Docker context with its TLS files; --context with --host is refused', async () => {
    const tls = t.tls()!;
    await using home = await tempDir();
    const id = createHash('sha256').update('remote').digest('hex');
    const config = join(home.path, '.docker');
    await mkdir(join(config, 'contexts/meta', id), { recursive: true });
    await writeFile(join(config, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: 'remote', Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${tls.port}`, SkipTLSVerify: false } } }));
    const tlsDir = join(config, 'contexts/tls', id, 'docker');
    await mkdir(tlsDir, { recursive: true });
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) await copyFile(join(tls.clientDir, file), join(tlsDir, file));
    await chmod(join(tlsDir, 'key.pem'), 0o600);

    const r = await cli(['--context', 'remote', 'run', '--', 'echo', 'from a context'], { cwd: home.path, env: isolatedEnv(home.path) });
    expect(r).toMatchObject({ status: 0, stdout: 'from a context\n' });
    const both = await cli(['--context', 'remote', '--host', 'unix:///nowhere.sock', 'run', '--', 'true'], { cwd: home.path, env: isolatedEnv(home.path) });
    expect(both.status).not.toBe(0);
    expect(both.stderr).toContain('FACTORY_INVALID_SETTINGS');
    expect(both.stderr).toContain('set only one of');
  });
});
