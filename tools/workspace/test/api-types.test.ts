import type { Container } from '@pocketdock/container-sdk';
import type { createClient as CreateClient, createServer as CreateServer, IpcSettingsSource } from '@pocketdock/factory';
import type { TcpSocketClient, TcpSocketServer } from '@pocketdock/ipc-tcp';
import type { UnixSocketClient, UnixSocketServer } from '@pocketdock/ipc-unix';

// Compile-time checks of the public types (issue 20). The workspace's typecheck target (`tsc -p tools/workspace`)
// fails when one stops holding; nothing here runs.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const holds = <T extends true>(): T | undefined => undefined;

declare const createServer: typeof CreateServer;
declare const createClient: typeof CreateClient;
declare const settings: IpcSettingsSource;

export function typeChecks(c: Container): unknown[] {
  const tcp = () => createServer('tcp', 'metrics', { settings });
  const unix = () => createServer('unix', 'metrics', { settings });
  const tcpClient = () => createClient('tcp', 'metrics', { settings, port: 1 });
  const unixClient = () => createClient('unix', 'metrics', { settings });
  return [
    tcp,
    unix,
    tcpClient,
    unixClient,
    // createServer / createClient: the transport's own class, so `port` needs no cast
    holds<Equal<ReturnType<typeof tcp>, TcpSocketServer>>(),
    holds<Equal<ReturnType<typeof unix>, UnixSocketServer>>(),
    holds<Equal<ReturnType<typeof tcpClient>, TcpSocketClient>>(),
    holds<Equal<ReturnType<typeof unixClient>, UnixSocketClient>>(),
    (): number | undefined => tcp().port,
    // run(): stream and detach exclude each other
    () => c.run('true', { stream: true }),
    () => c.run('true', { detach: true }),
    () => c.run('true', { stream: false, detach: true }),
    // @ts-expect-error a stream and a detached process at once is not an option
    () => c.run('true', { stream: true, detach: true }),
  ];
}

it('the type checks compile (tsc -p tools/workspace/tsconfig.json)', () => {
  expect(typeof typeChecks).toBe('function');
});
