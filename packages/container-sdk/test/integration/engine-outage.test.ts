import { EngineProxy, testEngines, until } from '@pocketdock/testkit';
import { processes, sandbox, untilRunning } from './helpers.js';

const CODE = /^(CONTAINER|ENGINE|SESSION|FILE)_[A-Z_]+$/;

/** What a promise came to: its value, or the code of its error (the message when it had none). */
async function outcome(p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    return { ok: false, code: typeof e.code === 'string' ? e.code : `no code: ${e.message}` };
  }
}

// The engine (here: its socket, through a proxy that cuts every connection at once, as a dying engine does) goes
// away while operations of every kind are in flight on a sandbox.
describe.each(testEngines())('container-sdk when the engine goes away mid-operation, on $name', (engine) => {
  it('every operation in flight ends promptly, with a code; new calls fail fast; all works again once it is back', async () => {
    await using proxy = await EngineProxy.start(engine.socketPath);
    const c = await sandbox(engine, { socketPath: proxy.path });
    try {
      await c.run('head -c 16777216 /dev/zero > /big.bin');
      const session = await c.session();

      const blocking = c.run('sleep 301');
      const inSession = session.run('sleep 302');
      const detached = await c.run('sleep 303', { detach: true });
      const stream = c.run('while true; do echo tick; sleep 0.05; done', { stream: true });
      const unread = c.run('sleep 304', { stream: true }); // nobody iterates it: its failure must not be an uncaught 'error'
      await untilRunning(c, 'sleep 301');
      await untilRunning(c, 'sleep 302');
      await untilRunning(c, 'sleep 303');
      await untilRunning(c, 'sleep 304');
      // Last: on Docker a download holds the container's lock until it ends, so no exec could start meanwhile.
      const file = c.readFileStream('/big.bin');
      await new Promise((resolve) => file.once('readable', resolve)); // the download is under way (and paused)

      const cut = Date.now();
      await proxy.down();
      const streamed = (async () => {
        for await (const _ of stream) void _;
      })();
      const fileRead = (async () => {
        for await (const _ of file) void _;
      })();
      const results = await Promise.all([outcome(blocking), outcome(inSession), outcome(detached.wait()), outcome(streamed), outcome(unread.result), outcome(fileRead)]);
      const elapsedMs = Date.now() - cut;

      // None resolves as if the command had ended: the commands still run in the container, their outcome is unknown.
      expect(results.map((r) => (r.ok ? 'resolved' : 'rejected'))).toEqual(Array(6).fill('rejected'));
      for (const r of results) expect(r.ok ? '' : r.code).toMatch(CODE);
      expect(results.slice(0, 5).map((r) => (r.ok ? '' : r.code))).toEqual([
        'CONTAINER_ENGINE_ERROR', // blocking run: its exit code cannot be asked for
        'SESSION_CLOSED',
        'CONTAINER_ENGINE_ERROR', // detached wait()
        'CONTAINER_ENGINE_ERROR', // the stream's loop fails instead of ending as if the command had exited
        'CONTAINER_ENGINE_ERROR', // the result of a stream nobody read
      ]);
      expect(elapsedMs).toBeLessThan(10_000);
      expect(session.closed).toBe(true);

      // While it is away: a new call fails at once with a code.
      const t0 = Date.now();
      const down = await outcome(c.run('true'));
      expect(down).toMatchObject({ ok: false });
      expect(down.ok ? '' : down.code).toMatch(CODE);
      expect(Date.now() - t0).toBeLessThan(5_000);

      // Back: the same handle works again, and the commands cut off above are still running in the container (the
      // engine kept them; only our connections went).
      await proxy.up();
      expect((await c.run('echo back')).stdout).toBe('back\n');
      expect((await processes(c)).filter((p) => p.startsWith('sleep 30')).length).toBeGreaterThan(0);
    } finally {
      await proxy.up().catch(() => undefined); // already up unless the test failed while it was down
      await c.shutdown();
    }
    await until(() => proxy.connections === 0, { what: 'every connection through the proxy to close', timeoutMs: 5_000 });
  }, 60_000);
});
