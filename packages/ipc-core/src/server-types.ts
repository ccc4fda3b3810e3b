import type { SocketConfig } from './config.js';
import type { SocketError } from './errors.js';
import type { SocketMessage } from './message.js';
import type { ClientInfo } from './server-connection.js';
import type { WaitOptions } from './wait-within.js';

/** Options of `SocketServer.drain()`: one client (default: all), and how long to wait (default: no limit). */
export interface DrainOptions extends WaitOptions {
  clientId?: string;
}

/** Validated options every server has; transports add their address settings. */
export type SocketServerConfig = SocketConfig & { maxConnections: number };

export interface SocketServerEvents {
  message: [message: SocketMessage, client: ClientInfo];
  connect: [client: ClientInfo];
  /** `reason` is undefined for an orderly close by either side. */
  disconnect: [client: ClientInfo, reason: SocketError | undefined];
  /** Per-connection problems (bad frames, slow readers). Emitted only when someone listens. */
  error: [error: SocketError, client: ClientInfo | undefined];
}

export interface SocketServerStats {
  connectedClients: number;
  queuedMessages: number;
  /** Queued messages dropped because the queue was full. */
  droppedMessages: number;
}
