import { setTimeout as delay } from 'node:timers/promises';
import { EngineClient } from '@pocketdock/engine-socket';
import { testEngines } from '@pocketdock/testkit';
import { openContainer } from '../../src/index.js';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

/**
 * A `Container` for `c` through an engine client with ONE connection for short calls, whose only connection is held
 * by a `POST /wait` on `blocker` until the blocker stops. Exec creations then queue behind it, as they queue behind a
 * busy engine under hundreds of concurrent runs (there: for longer than the client's default 30 s call timeout).
 */
async function congested(c: Container, blocker: Container, socketPath: string, clientTimeoutMs: number) {
  const engine = await EngineClient.connect({ socketPath, maxConnections: 1, timeoutMs: clientTimeoutMs });
  const handle = await openContainer(c.id, { engine });
  const held = engine.json({ method: 'POST', path: `/containers/${blocker.id}/wait`, timeoutMs: 120_000 }).catch(() => undefined);
  return {
    handle,
    /** Frees the connection: the blocker stops, its wait answers. */
    release: async (): Promise<void> => {
      await blocker.stop({ timeoutMs: 0 });
      await held;
    },
    [Symbol.asyncDispose]: async (): Promise<void> => {
      await blocker.stop({ timeoutMs: 0 }).catch(() => undefined);
      await held;
      await engine.close();
    },
  };
}

// Regression: under 500 concurrent runs on Podman, exec creation failed with ENGINE_TIMEOUT after the engine client's
// 30 s although the run's timeoutMs was 120 s. A run's timeoutMs bounds the whole run, exec creation included: the
// run neither fails early on the client's call timeout nor outlives its own.
describe.each(testEngines())("a run's timeoutMs bounds the whole run, exec creation included, on $name", (engine) => {
  it('exec creation queued past the client call timeout: the run, with time left, still runs', async () => {
    await using c = await sandbox(engine);
    await using blocker = await sandbox(engine);
    await using jam = await congested(c, blocker, engine.socketPath, 2_000);
    const run = jam.handle.run('echo ran', { timeoutMs: 30_000 });
    // The exec creation has now waited longer than the client's 2 s call timeout (before the fix, the run failed
    // here with CONTAINER_ENGINE_ERROR / ENGINE_TIMEOUT). This delay is the condition under test, not a guess.
    await delay(3_000);
    await jam.release();
    expect(await run).toMatchObject({ stdout: 'ran\n', exitCode: 0, timedOut: false, ok: true });
  }, 60_000);

  it('exec creation queued past the run timeoutMs: it resolves timed out at its own timeout (exit 137), and never ran', async () => {
    await using c = await sandbox(engine);
    await using blocker = await sandbox(engine);
    await using jam = await congested(c, blocker, engine.socketPath, 30_000);
    const t0 = performance.now();
    const run = jam.handle.run('touch /ran', { timeoutMs: 1_500 });
    const stream = jam.handle.run('touch /ran-stream', { timeoutMs: 1_500, stream: true });
    const streamed = (async () => {
      for await (const _ of stream) void _;
      return stream.result;
    })();
    const detached = jam.handle.run('touch /ran-detached', { timeoutMs: 1_500, detach: true }).then((p) => p.wait());
    const bound = new AbortController();
    const settled = await Promise.race([Promise.all([run, streamed, detached]), delay(10_000, 'still waiting', { signal: bound.signal })]);
    bound.abort();
    const elapsed = performance.now() - t0;
    expect(settled).not.toBe('still waiting'); // before the fix: waiting for the connection, up to the client's 30 s
    for (const r of settled as Awaited<typeof run>[]) expect(r).toMatchObject({ timedOut: true, exitCode: 137, ok: false, stdout: '' });
    expect(elapsed).toBeGreaterThanOrEqual(1_450);
    await jam.release();
    expect((await c.run('ls /ran /ran-stream /ran-detached 2>/dev/null; true')).stdout).toBe(''); // nothing ran late
  }, 60_000);
});
