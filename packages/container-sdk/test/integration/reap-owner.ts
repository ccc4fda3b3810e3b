// The owning process of the SIGKILL test: creates a self-reaping sandbox, prints its id, then idles until killed.
import { createNewContainer } from '../../src/index.js';

const [socketPath, run, options] = process.argv.slice(2);
const c = await createNewContainer({
  socketPath: socketPath!,
  labels: { 'pocketdock.test-run': run! },
  ...(JSON.parse(options!) as Record<string, unknown>),
});
process.stdout.write(`${c.id}\n`);
setInterval(() => undefined, 60_000);
