import { EngineProxy, testEngines, until } from '@pocketdock/testkit';
import { poolContainers, testPool } from './helpers.js';

describe.each(testEngines())('pool during an engine outage on $name', (engine) => {
  it('the engine socket going away and coming back: errors reported with backoff, refill resumes, nothing leaked', async () => {
    await using proxy = await EngineProxy.start(engine.socketPath);
    const errors: Error[] = [];
    let name = '';
    {
      await using pool = await testPool(engine, { socketPath: proxy.path, minIdle: 2, maxSize: 4, refillIntervalMs: 50, maxBackoffMs: 300, onError: (e) => errors.push(e) });
      name = pool.name;
      expect(pool.stats().idle).toBe(2);
      await proxy.down();
      const lease = await pool.acquire(); // an idle one: no engine call needed
      await until(() => errors.length >= 2);
      await new Promise((r) => setTimeout(r, 600));
      const during = errors.length;
      expect(during).toBeLessThanOrEqual(15); // backing off, not a hot loop
      expect(errors[0]).toMatchObject({ code: 'POOL_CREATE_FAILED' });
      await proxy.up();
      await until(() => pool.stats().idle === 2, { timeoutMs: 15_000, what: 'the pool to refill' });
      await lease.release();
    }
    expect(await poolContainers(engine, name)).toHaveLength(0);
  }, 60_000);
});
