import { randomBytes } from 'node:crypto';
import { rawJson, rawRequest, testEngines } from '@pocketdock/testkit';
import { poolContainers, testPool } from './helpers.js';

describe.each(testEngines())('pool network on $name', (engine) => {
  const networkExists = async (name: string): Promise<boolean> =>
    (await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/networks/${name}` })).status === 200;

  it('creates the network, puts every container on it, tolerates one that exists, and removes it at shutdown', async () => {
    const name = `pd-test-net-${randomBytes(4).toString('hex')}`;
    try {
      {
        await using pool = await testPool(engine, { minIdle: 1, network: { name, remove: false } });
        expect(await networkExists(name)).toBe(true);
        const [id] = await poolContainers(engine, pool.name);
        const info = await rawJson<{ NetworkSettings: { Networks: Record<string, unknown> } }>({ socketPath: engine.socketPath, path: `/v1.41/containers/${id}/json` });
        expect(Object.keys(info.NetworkSettings.Networks)).toContain(name);
      }
      expect(await networkExists(name)).toBe(true); // remove: false
      await using pool = await testPool(engine, { network: { name, remove: true } }); // exists already: not an error
      await pool.shutdown();
      expect(await networkExists(name)).toBe(false);
    } finally {
      await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/networks/${name}` });
    }
  }, 60_000);

  it('a missing network with create: false fails createPool with POOL_ENGINE_ERROR', async () => {
    await expect(testPool(engine, { network: { name: `pd-test-missing-${randomBytes(4).toString('hex')}`, create: false } })).rejects.toMatchObject({
      code: 'POOL_ENGINE_ERROR',
    });
  }, 60_000);
});
