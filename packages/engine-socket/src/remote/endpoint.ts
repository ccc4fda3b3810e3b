import { isIP } from 'node:net';
import type { SshSettings } from './ssh-endpoint.js';

/** How calls reach the engine: its Unix socket, plain TCP (loopback unless opted in), TCP with TLS, or ssh. */
export type Transport = 'unix' | 'tcp' | 'tls' | 'ssh';

/** The certificates of a TLS endpoint, read and checked (see `loadTlsMaterial`). */
export interface TlsMaterial {
  /** CA certificates the engine's certificate must chain to; none: the system's CAs. */
  ca?: Buffer;
  /** Our client certificate and its private key (both or neither). */
  cert?: Buffer;
  key?: Buffer;
  /** Check the engine's certificate and host name (default true; only an explicit option turns it off). */
  verify: boolean;
  /** The name the engine's certificate must carry; default the host. */
  servername?: string;
}

export type Endpoint =
  | { transport: 'unix'; socketPath: string }
  | { transport: 'tcp'; host: string; port: number }
  | { transport: 'tls'; host: string; port: number; tls: TlsMaterial }
  | { transport: 'ssh'; host: string; port: number; user: string; ssh: SshSettings };

/** The endpoint as users write it, never with credentials: `unix:///run/x.sock`, `tcp://host:2376 (TLS)`. */
export function describeEndpoint(endpoint: Endpoint): string {
  if (endpoint.transport === 'unix') return endpoint.socketPath;
  if (endpoint.transport === 'ssh') return `ssh://${endpoint.user}@${hostPort(endpoint.host, endpoint.port)} (${endpoint.ssh.command})`;
  const address = `tcp://${hostPort(endpoint.host, endpoint.port)}`;
  if (endpoint.transport === 'tcp') return `${address} (plain TCP)`;
  return `${address} (TLS${endpoint.tls.verify ? '' : ', NOT verified'})`;
}

export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True for names and addresses that never leave this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** What undici needs to reach an endpoint: the origin and the options of its socket (ssh: see `SshTunnel`). */
export function undiciTarget(endpoint: Endpoint, halfOpen: boolean): { origin: string; socketPath?: string; connect: Record<string, unknown> } {
  const connect: Record<string, unknown> = halfOpen ? { allowHalfOpen: true } : {};
  if (endpoint.transport === 'unix') return { origin: 'http://localhost', socketPath: endpoint.socketPath, connect };
  if (endpoint.transport === 'ssh') return { origin: 'http://localhost', connect };
  const address = hostPort(endpoint.host, endpoint.port);
  if (endpoint.transport === 'tcp') return { origin: `http://${address}`, connect };
  const { ca, cert, key, verify, servername } = endpoint.tls;
  return {
    origin: `https://${address}`,
    connect: {
      ...connect,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      rejectUnauthorized: verify,
      ...(servername ? { servername } : isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
    },
  };
}
