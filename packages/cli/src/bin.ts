import { main } from './program.js';

// The `pocketdock` command. Only commander and the command table load here; each command imports what it needs.
void main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
