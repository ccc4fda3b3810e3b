export { UnixSocketServer } from './unix-socket-server.js';
export type { UnixSocketServerOptions } from './unix-socket-server.js';
export { UnixSocketClient } from './unix-socket-client.js';
export type { UnixSocketClientOptions } from './unix-socket-client.js';
export { CommandServer } from './command-server.js';
export type { CommandHandler, CommandServerOptions } from './command-server.js';
export { sendCommand } from './send-command.js';
export type { SendCommandOptions } from './send-command.js';
export { commandError } from './command-reply.js';
export { socketPath, MAX_SOCKET_PATH_BYTES } from './socket-path.js';

export { UNIX_ERROR_CODES } from './error-codes.js';
