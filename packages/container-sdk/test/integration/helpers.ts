import { testLabels, until } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { createNewContainer } from '../../src/index.js';
import type { Container, NewContainerOptions } from '../../src/index.js';

/** A sandbox on `engine`, labelled for this test run (the global teardown catches any a test forgets). */
export function sandbox(engine: TestEngine, options: NewContainerOptions = {}): Promise<Container> {
  return createNewContainer({ socketPath: engine.socketPath, ...options, labels: { ...testLabels(), ...options.labels } });
}

/** The container's process list, as command lines (busybox ps). */
export async function processes(c: Container): Promise<string[]> {
  const r = await c.run(['ps', '-o', 'args']);
  return r.stdout.split('\n').slice(1).filter(Boolean);
}

/** Resolves once a process whose command line starts with `command` runs in `c` (polled through `ps`). */
export function untilRunning(c: Container, command: string, timeoutMs = 10_000): Promise<void> {
  return until(async () => (await processes(c)).some((p) => p.startsWith(command)), { timeoutMs, intervalMs: 20, what: `${JSON.stringify(command)} to run` });
}

/** What `promise` rejects with (undefined when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return undefined;
}
