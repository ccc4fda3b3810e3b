import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { EngineClient, EngineError } from '../src/index.js';
import { tcpEndpoint } from '../src/remote/tcp-endpoint.js';
import type { TcpContext } from '../src/remote/tcp-endpoint.js';

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
const ctx = (over: Partial<TcpContext> = {}): TcpContext => ({ env: {}, homedir: '/nonexistent', origin: '$DOCKER_HOST', ...over });

describe('tcp:// addresses', () => {
  it('plain tcp to loopback is allowed; default port 2375', async () => {
    await expect(tcpEndpoint('tcp://127.0.0.1', ctx())).resolves.toEqual({ transport: 'tcp', host: '127.0.0.1', port: 2375 });
    await expect(tcpEndpoint('tcp://localhost:9999', ctx())).resolves.toMatchObject({ transport: 'tcp', port: 9999 });
    await expect(tcpEndpoint('tcp://[::1]:9999', ctx())).resolves.toMatchObject({ transport: 'tcp', host: '::1' });
  });

  it('plain tcp elsewhere is ENGINE_INSECURE_HOST unless opted in: never a silent unencrypted engine', async () => {
    const err = await failure(tcpEndpoint('tcp://10.0.0.5:2375', ctx()));
    expect(err.code).toBe('ENGINE_INSECURE_HOST');
    expect(err.message).toContain('10.0.0.5');
    await expect(tcpEndpoint('tcp://10.0.0.5:2375', ctx({ allowInsecureTcp: true }))).resolves.toMatchObject({ transport: 'tcp' });
  });

  it('port 2376, DOCKER_TLS_VERIFY, DOCKER_TLS or the tls option mean TLS, verified by default; no cert dir means system CAs', async () => {
    for (const [address, over] of [
      ['tcp://10.0.0.5:2376', {}],
      ['tcp://10.0.0.5', { env: { DOCKER_TLS: '1' } }],
      ['tcp://10.0.0.5:1234', { tls: true }],
    ] as const) {
      const endpoint = await tcpEndpoint(address, ctx(over));
      expect(endpoint).toMatchObject({ transport: 'tls', host: '10.0.0.5', tls: { verify: true } });
      expect(endpoint.transport === 'tls' && endpoint.tls.ca).toBeUndefined();
    }
    await expect(tcpEndpoint('tcp://10.0.0.5', ctx({ env: { DOCKER_TLS: '1' } }))).resolves.toMatchObject({ port: 2376 });
    await expect(tcpEndpoint('tcp://h:1', ctx({ tls: { verify: false } }))).resolves.toMatchObject({ tls: { verify: false } });
    // tls: false keeps 2376 plain (loopback only)
    await expect(tcpEndpoint('tcp://127.0.0.1:2376', ctx({ tls: false }))).resolves.toMatchObject({ transport: 'tcp' });
  });

  it('reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH; options win over files', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'ca.pem'), 'CA');
    await writeFile(join(dir.path, 'cert.pem'), 'CERT');
    await writeFile(join(dir.path, 'key.pem'), 'KEY', { mode: 0o600 });
    const endpoint = await tcpEndpoint('tcp://h:2376', ctx({ env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir.path } }));
    expect(endpoint.transport === 'tls' && [endpoint.tls.ca?.toString(), endpoint.tls.cert?.toString(), endpoint.tls.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    const byOption = await tcpEndpoint('tcp://h:2376', ctx({ tls: { certPath: dir.path, ca: 'OTHER' } }));
    expect(byOption.transport === 'tls' && byOption.tls.ca?.toString()).toBe('OTHER');
  });

  it('caFile, certFile and keyFile: files of any name, winning over certPath; each named one must exist; the key is checked like key.pem', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'ca.pem'), 'CA');
    await writeFile(join(dir.path, 'cert.pem'), 'CERT');
    await writeFile(join(dir.path, 'key.pem'), 'KEY', { mode: 0o600 });
    await writeFile(join(dir.path, 'engine-ca.crt'), 'OTHER-CA');
    await writeFile(join(dir.path, 'me.crt'), 'MY-CERT');
    await writeFile(join(dir.path, 'me.key'), 'MY-KEY', { mode: 0o600 });
    const named = { caFile: join(dir.path, 'engine-ca.crt'), certFile: join(dir.path, 'me.crt'), keyFile: join(dir.path, 'me.key') };
    const endpoint = await tcpEndpoint('tcp://h:2376', ctx({ tls: { certPath: dir.path, ...named } }));
    expect(endpoint.transport === 'tls' && [endpoint.tls.ca?.toString(), endpoint.tls.cert?.toString(), endpoint.tls.key?.toString()]).toEqual(['OTHER-CA', 'MY-CERT', 'MY-KEY']);
    const onlyCa = await tcpEndpoint('tcp://h:2376', ctx({ tls: { certPath: dir.path, caFile: named.caFile } })); // the rest from certPath
    expect(onlyCa.transport === 'tls' && [onlyCa.tls.ca?.toString(), onlyCa.tls.cert?.toString()]).toEqual(['OTHER-CA', 'CERT']);
    const contents = await tcpEndpoint('tcp://h:2376', ctx({ tls: { ...named, ca: 'INLINE' } })); // contents beat files
    expect(contents.transport === 'tls' && contents.tls.ca?.toString()).toBe('INLINE');

    const missing = await failure(tcpEndpoint('tcp://h:2376', ctx({ tls: { caFile: join(dir.path, 'nope.crt') } })));
    expect(missing).toMatchObject({ code: 'ENGINE_TLS_CONFIG' });
    expect(missing.message).toContain('caFile names');
    await chmod(named.keyFile, 0o644);
    const open = await failure(tcpEndpoint('tcp://h:2376', ctx({ tls: named })));
    expect(open.code).toBe('ENGINE_TLS_CONFIG');
    expect(open.message).toContain('chmod 600');
    expect(open.message).not.toContain('MY-KEY');
    await chmod(named.keyFile, 0o600);
    const lone = await failure(tcpEndpoint('tcp://h:2376', ctx({ tls: { certFile: named.certFile } }))); // /nonexistent home: no key anywhere
    expect(lone.message).toContain('needs its key');
    await expect(failure(EngineClient.connect({ dockerHost: 'tcp://h:2376', tls: { caFile: '' } }))).resolves.toMatchObject({ code: 'ENGINE_INVALID_OPTIONS' });
  });

  it.each<[string, (dir: string) => Promise<unknown>, string]>([
    ['a key readable by others', (d) => chmod(join(d, 'key.pem'), 0o640), 'chmod 600'],
    ['a certificate without its key', (d) => rm(join(d, 'key.pem')), 'needs its key'],
    ['DOCKER_TLS_VERIFY without ca.pem', (d) => rm(join(d, 'ca.pem')), 'no ca.pem'],
    ['a key that is a directory', (d) => rm(join(d, 'key.pem')).then(() => mkdir(join(d, 'key.pem'))), 'not a regular file'],
  ])('%s: ENGINE_TLS_CONFIG, the key never in the message', async (_name, spoil, says) => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'ca.pem'), 'CA');
    await writeFile(join(dir.path, 'cert.pem'), 'CERT');
    await writeFile(join(dir.path, 'key.pem'), 'SECRET-KEY', { mode: 0o600 });
    await spoil(dir.path);
    const err = await failure(tcpEndpoint('tcp://h:2376', ctx({ env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir.path } })));
    expect(err.code).toBe('ENGINE_TLS_CONFIG');
    expect(err.message).toContain(says);
    expect(err.message).not.toContain('SECRET-KEY');
  });

  it('refuses a user or password in the address without repeating it, and anything after the port', async () => {
    const err = await failure(tcpEndpoint('tcp://admin:hunter2@h:2376', ctx()));
    expect(err.code).toBe('ENGINE_INVALID_CONFIG');
    expect(err.message).not.toContain('hunter2');
    await expect(failure(tcpEndpoint('tcp://h:2376/path', ctx()))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
  });

  it('connect: socketPath and dockerHost together are ENGINE_INVALID_OPTIONS; npipe:// is ENGINE_UNSUPPORTED_HOST', async () => {
    await expect(failure(EngineClient.connect({ socketPath: '/x', dockerHost: 'tcp://127.0.0.1:1' }))).resolves.toMatchObject({ code: 'ENGINE_INVALID_OPTIONS' });
    await expect(failure(EngineClient.connect({ dockerHost: 'npipe:////./pipe/docker_engine' }))).resolves.toMatchObject({ code: 'ENGINE_UNSUPPORTED_HOST' });
  });

  it('a dead tcp endpoint is ENGINE_CONNECT_FAILED naming the transport and address', async () => {
    const err = await failure(EngineClient.connect({ dockerHost: 'tcp://127.0.0.1:1' }));
    expect(err.code).toBe('ENGINE_CONNECT_FAILED');
    expect(err.message).toContain('tcp://127.0.0.1:1 (plain TCP)');
  });
});
