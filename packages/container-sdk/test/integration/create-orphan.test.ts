import { EngineClient } from '@pocketdock/engine-socket';
import { EngineProxy, rawJson, TEST_IMAGE, testEngines, testLabels, until } from '@pocketdock/testkit';
import { createNewContainer } from '../../src/index.js';
import { rejection } from './helpers.js';

// The engine makes the container but its answer never arrives (a timeout under load, a connection cut at the
// wrong moment): nobody holds the new id, so createNewContainer must find the container by its labels and remove it.
describe.each(testEngines())('a create whose answer is lost, on $name', (engine) => {
  it('fails with a code and leaves no container behind', async () => {
    await using proxy = await EngineProxy.start(engine.socketPath);
    const client = await EngineClient.connect({ socketPath: proxy.path, timeoutMs: 4_000 });
    const marker = { 'pocketdock.test-orphan': String(process.hrtime.bigint()) };
    const filter = encodeURIComponent(JSON.stringify({ label: [`pocketdock.test-orphan=${marker['pocketdock.test-orphan']}`] }));
    const list = async (): Promise<unknown[]> => rawJson<unknown[]>({ socketPath: engine.socketPath, path: `/containers/json?all=1&filters=${filter}` });
    try {
      proxy.mute();
      const created = createNewContainer({ engine: client, image: TEST_IMAGE, labels: { ...testLabels(), ...marker } });
      // The engine has made it: only the answer is missing.
      await until(async () => (await list()).length === 1, { what: 'the engine to create the container' });
      proxy.unmute();
      const err = (await rejection(created)) as { code?: string; cause?: { code?: string } };
      expect(err.code).toBe('CONTAINER_ENGINE_ERROR');
      expect(err.cause?.code).toBe('ENGINE_TIMEOUT');
      expect(await list()).toEqual([]);
    } finally {
      proxy.unmute();
      await client.close();
    }
  }, 30_000);

  it('a clear refusal (name taken) removes nothing, not even the container holding that name', async () => {
    const name = `pd-orphan-${process.pid}-${Date.now()}`;
    const first = await createNewContainer({ socketPath: engine.socketPath, image: TEST_IMAGE, name, labels: testLabels() });
    try {
      const err = (await rejection(createNewContainer({ socketPath: engine.socketPath, image: TEST_IMAGE, name, labels: testLabels() }))) as { code?: string };
      expect(err.code).toMatch(/^CONTAINER_/);
      expect((await first.info()).status).toBe('running');
    } finally {
      await first.shutdown({ force: true });
    }
  }, 30_000);
});
