import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TEST_IMAGE, tempDir, testLabels, useTransports } from '@pocketdock/testkit';
import type { TransportUnderTest } from '@pocketdock/testkit';
import { createPocketdock } from '../../src/index.js';
import { writeTree } from '../helpers.js';

// A pocketdock on a remote engine over TLS: the testkit's TLS forwarder on 127.0.0.1 (client certificates made by
// openssl) in front of each real engine, reached from the settings and from Docker's own variables.
const transports = useTransports({ transports: ['tls'] });
const noFiles = { system: null, user: null };

describe.each(transports)('createPocketdock on $label', (t: TransportUnderTest) => {
  it('engine.host and engine.tls in a project file: the sandbox is made and run over TLS', async () => {
    const tls = t.tls()!;
    await using dir = await tempDir();
    const project = {
      engine: { host: `tcp://127.0.0.1:${tls.port}`, tls: { certPath: tls.clientDir } },
      sandbox: { image: TEST_IMAGE, labels: testLabels() },
    };
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': stringify(project) });
    const accepted = tls.accepted;
    await using pd = await createPocketdock({ env: { HOME: dir.path }, files: noFiles, cwd: dir.path });
    expect(pd.settings.explain().find((r) => r.key === 'engine.tls.certPath')).toMatchObject({ value: tls.clientDir, source: join(dir.path, '.pocketdock/pocketdock.yaml') });
    const engine = await pd.engine();
    expect([engine.transport, engine.engine, engine.address]).toEqual(['tls', t.engine.name, `tcp://127.0.0.1:${tls.port} (TLS)`]);
    const sandbox = await pd.createContainer();
    expect(await sandbox.run('echo over tls')).toMatchObject({ exitCode: 0, stdout: 'over tls\n' });
    expect(tls.accepted).toBeGreaterThan(accepted);
  });

  it('engine.tls.caFile, certFile and keyFile: certificates under names of their own, no certPath', async () => {
    const tls = t.tls()!;
    await using dir = await tempDir();
    const files = { caFile: join(dir.path, 'engine-ca.crt'), certFile: join(dir.path, 'me.crt'), keyFile: join(dir.path, 'me.key') };
    await copyFile(join(tls.clientDir, 'ca.pem'), files.caFile);
    await copyFile(join(tls.clientDir, 'cert.pem'), files.certFile);
    await copyFile(join(tls.clientDir, 'key.pem'), files.keyFile);
    await chmod(files.keyFile, 0o600);
    const project = { engine: { host: `tcp://127.0.0.1:${tls.port}`, tls: files }, sandbox: { image: TEST_IMAGE, labels: testLabels() } };
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': stringify(project) });
    const accepted = tls.accepted;
    await using pd = await createPocketdock({ env: { HOME: dir.path }, files: noFiles, cwd: dir.path }); // ~/.docker has nothing
    const sandbox = await pd.createContainer();
    expect(await sandbox.run('echo named files')).toMatchObject({ exitCode: 0, stdout: 'named files\n' });
    expect(tls.accepted).toBeGreaterThan(accepted);
  });

  it("DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH alone: engine-socket's own rules, read from the factory's env", async () => {
    const tls = t.tls()!;
    await using dir = await tempDir();
    await using pd = await createPocketdock({ env: { ...t.dockerEnv()!, HOME: dir.path }, files: noFiles, cwd: dir.path, overrides: { sandbox: { labels: testLabels() } } });
    expect(pd.settings.explain().find((r) => r.key === 'engine.host')).toMatchObject({ value: undefined, source: "engine-socket's default: $DOCKER_HOST" });
    const engine = await pd.engine();
    expect([engine.transport, engine.engine]).toEqual(['tls', t.engine.name]);
    const sandbox = await pd.createContainer({ image: TEST_IMAGE });
    expect((await sandbox.run(['cat'], { stdin: 'piped over tls' })).stdout).toBe('piped over tls');
    expect(tls.accepted).toBeGreaterThan(0);
  });

  it('engine.tls.enabled false against the TLS listener: the engine is not reached, the error names the transport', async () => {
    const tls = t.tls()!;
    await using dir = await tempDir();
    await using pd = await createPocketdock({
      env: { HOME: dir.path },
      files: noFiles,
      cwd: dir.path,
      overrides: { engine: { host: `tcp://127.0.0.1:${tls.port}`, tls: { enabled: false }, connectTimeoutMs: 2000, timeoutMs: 2000 } },
    });
    const err = await pd.engine().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/^ENGINE_(CONNECTION_LOST|BAD_RESPONSE|TIMEOUT|CONNECT_FAILED)$/) });
    expect((err as Error).message).toContain(`tcp://127.0.0.1:${tls.port}`);
  });
});
