// A short-lived client for the supervised-process test: opens the sandbox by name, spawns the command given as JSON,
// prints the process id and exits at once (no shutdown, nothing closed): the process must outlive it.
import { openContainer } from '../../src/index.js';

const [socketPath, name, command, maxOutputBytes] = process.argv.slice(2);
const c = await openContainer(name!, { socketPath: socketPath! });
const info = await c.spawn(JSON.parse(command!) as string[], { maxOutputBytes: Number(maxOutputBytes) });
process.stdout.write(`${info.id}\n`, () => process.exit(0));
