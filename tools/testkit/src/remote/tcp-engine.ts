import { readFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tempDir } from '../temp-dir.js';
import { makeCertificates } from './certificates.js';

/**
 * A real engine reached over TCP on 127.0.0.1: a listener (TLS with client certificates, or plain) that forwards
 * every connection, half-closes included, to the engine's Unix socket. What is under test is our client's TCP and
 * TLS; a second dockerd with `--tlsverify` would test the same handshake at far more cost (and Podman has no TLS
 * listener at all), so the TLS server is Node's, with certificates openssl makes in a temp dir removed on dispose.
 */
export interface TcpEngine extends AsyncDisposable {
  port: number;
  /** Docker-style certificate directories: the right CA, and an unrelated one (TLS only). */
  clientDir: string;
  wrongCaDir: string;
  /** Connections accepted (TLS: handshakes completed) so far. */
  accepted: number;
}

export async function startTcpEngine(socketPath: string, tls: boolean): Promise<TcpEngine> {
  const dir = await tempDir();
  const open = new Set<Socket>();
  let accepted = 0;
  const forward = (client: Socket): void => {
    accepted++;
    open.add(client);
    const engine = createConnection({ path: socketPath, allowHalfOpen: true });
    open.add(engine);
    client.pipe(engine);
    engine.pipe(client);
    const destroyBoth = (): void => {
      client.destroy();
      engine.destroy();
    };
    client.on('error', destroyBoth).on('close', () => open.delete(client) && engine.end());
    engine.on('error', destroyBoth).on('close', () => open.delete(engine) && client.end());
  };
  let server: Server;
  let certs = { clientDir: '', wrongCaDir: '' };
  try {
    if (tls) {
      const made = await makeCertificates(dir.path);
      certs = made;
      const [key, cert, ca] = await Promise.all([readFile(made.serverKey), readFile(made.serverCert), readFile(made.ca)]);
      server = createTlsServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true, allowHalfOpen: true }, forward);
    } else {
      server = createServer({ allowHalfOpen: true }, forward);
    }
    // every raw connection, handshakes that fail included, so that dispose can cut them all
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (err) {
    await dir[Symbol.asyncDispose]();
    throw err;
  }
  return {
    port: (server.address() as AddressInfo).port,
    ...certs,
    get accepted() {
      return accepted;
    },
    async [Symbol.asyncDispose]() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
      await dir[Symbol.asyncDispose]();
    },
  };
}
