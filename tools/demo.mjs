// The main job's last step: run a real command in a pocketdock sandbox on each engine and print the result.
// Uses the built packages (npm start builds them first), exactly as a user of @pocketdock/container-sdk would.
import { EngineClient } from '@pocketdock/engine-socket';
import { createNewContainer } from '@pocketdock/container-sdk';

const sockets = [
  ['docker', '/var/run/docker.sock'],
  ['podman', '/run/podman/podman.sock'],
];
let failed = false;
for (const [name, socketPath] of sockets) {
  // Node 20 has no `await using` syntax (TypeScript compiles it away); plain JS closes in finally.
  let engine;
  let sandbox;
  try {
    engine = await EngineClient.connect({ socketPath });
    const t0 = performance.now();
    sandbox = await createNewContainer({ engine, memLimit: '64m', labels: { 'pocketdock.demo': 'true' } });
    const created = performance.now() - t0;
    const r = await sandbox.run('echo "hello from a pocketdock sandbox: $(uname -sr), $(id -un), network: $(ls /sys/class/net | tr "\\n" " ")"');
    const session = await sandbox.session();
    const t1 = performance.now();
    await session.run('true');
    const sessionMs = performance.now() - t1;
    console.log(
      `${name.padEnd(7)} ${engine.engine} API ${engine.apiVersion} on ${engine.socketPath}: container ${sandbox.name} ` +
        `(created in ${created.toFixed(0)} ms)\n        exit ${r.exitCode} in ${r.durationMs.toFixed(0)} ms: ${r.stdout.trim()}` +
        `\n        a session command took ${sessionMs.toFixed(2)} ms`,
    );
  } catch (err) {
    failed = true;
    console.error(`${name}: ${err.code ?? ''} ${err.message}`);
  } finally {
    await sandbox?.shutdown();
    await engine?.close();
  }
}
process.exit(failed ? 1 : 0);
