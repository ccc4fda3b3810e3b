import { randomBytes } from 'node:crypto';
import { FLOW_IMAGE, TEST_IMAGE, testEngines } from './engines.js';
import { rawRequest } from './raw-engine.js';

/** The images every engine under test must hold, and the script that builds each. */
const REQUIRED_IMAGES = [
  { image: TEST_IMAGE, script: 'tools/images.sh' },
  { image: FLOW_IMAGE, script: 'tools/flow-image.sh' },
] as const;

/**
 * Jest global setup for packages with integration tests: every engine under test must answer /_ping and hold the
 * test image and the flow image, or the whole run fails with what to do. Nothing is ever skipped silently.
 */
export async function globalSetup(): Promise<void> {
  process.env.POCKETDOCK_TEST_RUN ??= `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const problems: string[] = [];
  const seen: string[] = [];
  for (const engine of testEngines()) {
    try {
      const ping = await rawRequest({ socketPath: engine.socketPath, path: '/_ping', timeoutMs: 5_000 });
      if (ping.status !== 200) throw new Error(`/_ping answered HTTP ${ping.status}`);
      let ready = true;
      for (const { image, script } of REQUIRED_IMAGES) {
        const found = await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/images/${image}/json`, timeoutMs: 5_000 });
        if (found.status !== 200) {
          problems.push(`${engine.name}: image ${image} is missing (run: bash ${script})`);
          ready = false;
        }
      }
      if (!ready) continue;
      seen.push(`${engine.name} (API ${String(ping.headers['api-version'])}, ${engine.socketPath})`);
    } catch (err) {
      problems.push(`${engine.name}: no answer on ${engine.socketPath}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `integration tests need these engines, and they are not ready:\n  ${problems.join('\n  ')}\n` +
        'start them with `bash tools/engines.sh up && bash tools/images.sh && bash tools/flow-image.sh`, or choose ' +
        'engines with POCKETDOCK_TEST_ENGINES=docker|podman',
    );
  }
  process.stderr.write(`[testkit] integration engines: ${seen.join(', ')}; run ${process.env.POCKETDOCK_TEST_RUN}\n`);
}
