export { TcpSocketServer } from './tcp-socket-server.js';
export type { TcpSocketServerOptions } from './tcp-socket-server.js';
export { TcpSocketClient } from './tcp-socket-client.js';
export type { TcpSocketClientOptions } from './tcp-socket-client.js';
export { TCP_ERROR_CODES } from './error-codes.js';
