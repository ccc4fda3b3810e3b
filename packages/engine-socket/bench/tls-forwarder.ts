// The tests' TLS forwarder (@pocketdock/testkit's startTcpEngine) in a process of its own, for bench/remote.ts: its
// decryption then runs on its own event loop, as a real TLS engine's would, instead of sharing the measured
// client's. Started with fork() (inheriting tsx); reports { port, clientDir } once listening; stops on disconnect.
import { startTcpEngine } from '@pocketdock/testkit';

const socketPath = process.argv[2];
if (socketPath === undefined || process.send === undefined) throw new Error('usage: fork(tls-forwarder.ts, [engineSocketPath])');
const tcp = await startTcpEngine(socketPath, true);
process.send({ port: tcp.port, clientDir: tcp.clientDir });
process.once('disconnect', () => {
  void (async () => {
    await tcp[Symbol.asyncDispose]();
    process.exit(0);
  })();
});
