import { testEngines } from './engines.js';
import { removeLabelled } from './containers.js';

/**
 * Jest global teardown: removes any container this run's tests left behind, then fails the run if there was one.
 * A test must clean up after itself; this is the net under it, not a replacement.
 */
export async function globalTeardown(): Promise<void> {
  const run = process.env.POCKETDOCK_TEST_RUN;
  if (!run) return;
  const leaks: string[] = [];
  for (const engine of testEngines()) {
    const n = await removeLabelled(engine, `pocketdock.test-run=${run}`);
    if (n > 0) leaks.push(`${engine.name}: ${n}`);
  }
  if (leaks.length > 0) throw new Error(`tests left containers behind (now removed): ${leaks.join(', ')}`);
}
