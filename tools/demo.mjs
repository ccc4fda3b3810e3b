// The main job's last step: run a real command in a pocketdock sandbox on each engine and print the result.
// The sandbox is made with the built @pocketdock/container-sdk (npm start builds it first); the command runs through
// the `pocketdock` CLI (bin/pocketdock.mjs of @pocketdock/cli), as a user types it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '@pocketdock/engine-socket';
import { createNewContainer } from '@pocketdock/container-sdk';

const POCKETDOCK = fileURLToPath(new URL('../packages/cli/bin/pocketdock.mjs', import.meta.url));
const COMMAND = 'echo "hello from a pocketdock sandbox: $(uname -sr), $(id -un), network: $(ls /sys/class/net | tr "\\n" " ")"';

/** `pocketdock --socket S run NAME -- sh -c COMMAND`, as a user would type it: its output and exit status. */
function viaCli(socketPath, name) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [POCKETDOCK, '--socket', socketPath, 'run', '--no-history', name, '--', COMMAND], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pocketdock run exited ${r.status}: ${r.stderr}`);
  return { exitCode: r.status, stdout: r.stdout, durationMs: performance.now() - t0 };
}

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
    const r = viaCli(socketPath, sandbox.name);
    const session = await sandbox.session();
    const t1 = performance.now();
    await session.run('true');
    const sessionMs = performance.now() - t1;
    console.log(
      `${name.padEnd(7)} ${engine.engine} API ${engine.apiVersion} on ${engine.socketPath}: container ${sandbox.name} ` +
        `(created in ${created.toFixed(0)} ms)\n        $ pocketdock run ${sandbox.name} -- '${COMMAND}'\n` +
        `        exit ${r.exitCode} in ${r.durationMs.toFixed(0)} ms (the CLI's start included): ${r.stdout.trim()}` +
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
console.log(`
The pocketdock command (npx pocketdock, in this checkout): the five a newcomer needs
  npx pocketdock create --name box              # a sandbox that stays (prints its name)
  npx pocketdock run box -- uname -a            # a command in it; exits with its status
  npx pocketdock shell box                      # an interactive shell in it
  npx pocketdock push box ./src /work/src       # copy in (pull copies out)
  npx pocketdock shutdown box                   # remove it
  npx pocketdock run -- echo hi                 # or: one command in a throwaway sandbox
More: npx pocketdock --help, packages/cli/README.md`);
process.exit(failed ? 1 : 0);
