import { useTransports } from '@pocketdock/testkit';
import type { TransportUnderTest } from '@pocketdock/testkit';
import type { EngineEntry } from '../../src/index.js';
import { poolContainers } from './helpers.js';
import { bothEngines, engineOf, testMultiPool, trackEngines } from './multi-helpers.js';

const { docker, podman } = bothEngines();
// Docker over TLS (a TLS listener on 127.0.0.1 with client certificates) and Podman over ssh (a test sshd on
// 127.0.0.1 running `podman system dial-stdio`), started by the testkit for this file.
const transports = useTransports({ transports: ['tls', 'ssh'], engines: [docker, podman] });
const over = (engine: string, transport: string): TransportUnderTest => transports.find((t) => t.engine.name === engine && t.transport === transport)!;

/** A pool entry for a remote engine: its address, and engine-socket's connection options (TLS files, ssh key...). */
function remote(name: string, t: TransportUnderTest): EngineEntry {
  const { dockerHost, socketPath: _socket, configFiles: _files, host: _host, ...connect } = t.connect();
  return { name, dockerHost: dockerHost!, connect };
}

describe('a pool over remote engines', () => {
  it('Docker over TLS and Podman over ssh in one pool: leases on both, shutdown leaves nothing', async () => {
    let name = '';
    {
      await using pool = await testMultiPool([remote('tls', over('docker', 'tls')), remote('ssh', over('podman', 'ssh'))], { minIdle: 2 });
      name = pool.name;
      const { engines } = pool.stats();
      expect([engines.tls!.kind, engines.ssh!.kind]).toEqual(['docker', 'podman']);
      expect(engines.tls!.address).toContain('(TLS)');
      expect(engines.ssh!.address).toContain('ssh://');
      const seen = trackEngines(pool);
      await using a = await pool.acquire({ timeoutMs: 30_000 });
      await using b = await pool.acquire({ timeoutMs: 30_000 });
      expect([engineOf(seen, a), engineOf(seen, b)].sort()).toEqual(['ssh', 'tls']);
      expect((await a.run('echo a')).stdout + (await b.run('echo b')).stdout).toBe('a\nb\n');
    }
    expect(await poolContainers(docker, `${name}.tls`)).toEqual([]);
    expect(await poolContainers(podman, `${name}.ssh`)).toEqual([]);
  }, 120_000);
});
