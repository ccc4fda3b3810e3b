import { createHash } from 'node:crypto';
import { defaultStrategies, detectSocket } from '../src/index.js';
import type { DetectionHost } from '../src/index.js';
import { failure } from './fake-engine.js';
import { fakeHost } from './fake-host.js';

const id = (name: string): string => createHash('sha256').update(name).digest('hex');
const meta = (name: string, host: string, skip = false): Record<string, string> => ({
  [`/home/u/.docker/contexts/meta/${id(name)}/meta.json`]: JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } }),
});
const alive = new Set(['/s/ctx.sock', '/var/run/docker.sock']);
const detect = (host: DetectionHost) => detectSocket(host, defaultStrategies(host), (p) => (alive.has(p) ? Promise.resolve() : Promise.reject(new Error('refused'))));

describe('Docker contexts', () => {
  it('docker context use: currentContext in ~/.docker/config.json names a unix:// endpoint, found before the default paths', async () => {
    const files = { '/home/u/.docker/config.json': '{"currentContext":"ctx"}', ...meta('ctx', 'unix:///s/ctx.sock') };
    await expect(detect(fakeHost({ files, sockets: ['/s/ctx.sock', '/var/run/docker.sock'] }))).resolves.toEqual({ socketPath: '/s/ctx.sock', source: 'Docker context' });
  });

  it('$DOCKER_CONTEXT wins over currentContext; $DOCKER_CONFIG moves the directory', async () => {
    const files = { '/cfg/config.json': '{"currentContext":"other"}', [`/cfg/contexts/meta/${id('ctx')}/meta.json`]: meta('ctx', 'unix:///s/ctx.sock')[`/home/u/.docker/contexts/meta/${id('ctx')}/meta.json`]! };
    await expect(detect(fakeHost({ env: { DOCKER_CONTEXT: 'ctx', DOCKER_CONFIG: '/cfg' }, files, sockets: ['/s/ctx.sock'] }))).resolves.toMatchObject({ socketPath: '/s/ctx.sock' });
  });

  it('a tcp:// context ends detection with its TLS directory and SkipTLSVerify', async () => {
    const tlsDir = `/home/u/.docker/contexts/tls/${id('remote')}/docker`;
    const host = fakeHost({ env: { DOCKER_CONTEXT: 'remote' }, files: meta('remote', 'tcp://10.0.0.5:2376'), dirs: { [tlsDir]: ['ca.pem', 'cert.pem', 'key.pem'] }, sockets: ['/var/run/docker.sock'] });
    await expect(detect(host)).resolves.toEqual({ remote: 'tcp://10.0.0.5:2376', tls: { certPath: tlsDir, verify: true }, source: 'Docker context "remote"' });
    const skip = fakeHost({ env: { DOCKER_CONTEXT: 'remote' }, files: meta('remote', 'tcp://10.0.0.5:2376', true) });
    await expect(detect(skip)).resolves.toMatchObject({ tls: { verify: false } });
  });

  it('$DOCKER_HOST wins over contexts, as in the docker CLI; "default" is no context', async () => {
    const files = meta('ctx', 'unix:///s/ctx.sock');
    await expect(detect(fakeHost({ env: { DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CONTEXT: 'ctx' }, files, sockets: ['/s/ctx.sock', '/var/run/docker.sock'] }))).resolves.toMatchObject({
      socketPath: '/var/run/docker.sock',
    });
    await expect(detect(fakeHost({ env: { DOCKER_CONTEXT: 'default' }, sockets: ['/var/run/docker.sock'] }))).resolves.toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('a context that does not exist, or has no docker endpoint, is ENGINE_INVALID_CONFIG', async () => {
    await expect(failure(detect(fakeHost({ env: { DOCKER_CONTEXT: 'nope' } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG', message: expect.stringContaining('"nope"') as unknown });
    const files = { [`/home/u/.docker/contexts/meta/${id('bad')}/meta.json`]: '{"Name":"bad","Endpoints":{}}' };
    await expect(failure(detect(fakeHost({ env: { DOCKER_CONTEXT: 'bad' }, files })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
    await expect(failure(detect(fakeHost({ files: { '/home/u/.docker/config.json': '{' } })))).resolves.toMatchObject({ code: 'ENGINE_INVALID_CONFIG' });
  });
});
