import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTcpEngine, tempDir, testEngines } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { EngineClient, EngineError } from '../../src/index.js';
import { coreCalls } from '../remote/core-calls.js';

const thrown = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);
const env = (vars: Record<string, string>) => ({ host: { env: vars, homedir: '/nonexistent' } });

describe.each(testEngines())('transports on $name', (engine: TestEngine) => {
  it('unix: the core calls', async () => {
    await using client = await EngineClient.connect({ socketPath: engine.socketPath });
    expect(client.transport).toBe('unix');
    await coreCalls(client, engine);
  });

  it('tls via DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: the core calls, in both connection modes', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, true);
    const vars = { DOCKER_HOST: `tcp://127.0.0.1:${tcp.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tcp.clientDir };
    await using client = await EngineClient.connect(env(vars));
    expect(client.transport).toBe('tls');
    expect(client.address).toBe(`tcp://127.0.0.1:${tcp.port} (TLS)`);
    await coreCalls(client, engine);
    await using perOp = await EngineClient.connect({ ...env(vars), connectionMode: 'per-operation' });
    await expect(perOp.json({ path: '/version' })).resolves.toBeDefined();
  });

  it('tls by option, to localhost (the name on the certificate)', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, true);
    await using client = await EngineClient.connect({ dockerHost: `tcp://localhost:${tcp.port}`, tls: { certPath: tcp.clientDir } });
    expect(client.engine).toBe(engine.name);
  });

  it('tls with the wrong CA: refused with ENGINE_TLS_FAILED naming the transport and host, no fallback', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, true);
    const err = await thrown(EngineClient.connect(env({ DOCKER_HOST: `tcp://127.0.0.1:${tcp.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tcp.wrongCaDir })));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_TLS_FAILED');
    expect((err as Error).message).toContain(`tcp://127.0.0.1:${tcp.port} (TLS)`);
    expect(tcp.accepted).toBe(0);
  });

  it('a client key others can read is refused (ENGINE_TLS_CONFIG) without reading it into the message', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, true);
    const keyPath = join(tcp.clientDir, 'key.pem');
    await chmod(keyPath, 0o644);
    const err = await thrown(EngineClient.connect({ dockerHost: `tcp://127.0.0.1:${tcp.port}`, tls: { certPath: tcp.clientDir } }));
    expect(EngineError.is(err) && err.code).toBe('ENGINE_TLS_CONFIG');
    expect((err as Error).message).toContain('chmod 600');
    expect((err as Error).message).not.toContain('PRIVATE KEY');
  });

  it('Docker contexts (docker context use): a TLS context with its certificates, and a unix:// one', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, true);
    await using config = await tempDir();
    const addContext = async (name: string, host: string, certs?: string): Promise<void> => {
      const id = createHash('sha256').update(name).digest('hex');
      await mkdir(join(config.path, 'contexts/meta', id), { recursive: true });
      await writeFile(join(config.path, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
      if (certs === undefined) return;
      const tlsDir = join(config.path, 'contexts/tls', id, 'docker');
      await mkdir(tlsDir, { recursive: true });
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) await copyFile(join(certs, file), join(tlsDir, file));
      await chmod(join(tlsDir, 'key.pem'), 0o600);
    };
    await addContext('remote', `tcp://127.0.0.1:${tcp.port}`, tcp.clientDir);
    await addContext('local', `unix://${engine.socketPath}`);
    await writeFile(join(config.path, 'config.json'), '{"currentContext":"remote"}');
    await using client = await EngineClient.connect(env({ DOCKER_CONFIG: config.path }));
    expect([client.transport, client.engine]).toEqual(['tls', engine.name]);
    expect(tcp.accepted).toBeGreaterThan(0);
    await using local = await EngineClient.connect(env({ DOCKER_CONFIG: config.path, DOCKER_CONTEXT: 'local' }));
    expect([local.transport, local.socketPath]).toEqual(['unix', engine.socketPath]);
  });

  it('plain tcp to loopback: the core calls', async () => {
    await using tcp = await startTcpEngine(engine.socketPath, false);
    await using client = await EngineClient.connect({ dockerHost: `tcp://127.0.0.1:${tcp.port}` });
    expect(client.transport).toBe('tcp');
    await coreCalls(client, engine);
  });
});
