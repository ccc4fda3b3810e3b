export { createMessage, assertEventName, isPlainObject, MessageType, DEFAULT_MESSAGE_TYPES, EVENT_NAME_PATTERN } from './message.js';
export type { SocketMessage, CreateMessageOptions } from './message.js';
export { MessageCodec, DEFAULT_MAX_MESSAGE_BYTES } from './codec.js';
export type { MessageCodecOptions, WireMessage } from './codec.js';
export { FrameReader, LENGTH_PREFIX_BYTES } from './frame-reader.js';
export type { PayloadHandler } from './frame-reader.js';
export { FrameWriter } from './frame-writer.js';
export { controlCode, controlFrame } from './control.js';
export type { ControlNotice } from './control.js';
export { awaitConnect, closeSocket } from './await-connect.js';
export { backoffDelay } from './backoff.js';
export {
  SocketConfigSchema,
  UnixSocketConfigSchema,
  TcpSocketConfigSchema,
  ClientConfigSchema,
  UnixClientConfigSchema,
  TcpClientConfigSchema,
  ReconnectConfigSchema,
  parseOptions,
} from './config.js';
export type {
  SocketConfig,
  UnixSocketConfig,
  TcpSocketConfig,
  ClientConfig,
  ReconnectConfig,
  SocketConfigInput,
  UnixSocketConfigInput,
  TcpSocketConfigInput,
  ClientConfigInput,
  UnixClientConfig,
  UnixClientConfigInput,
  TcpClientConfig,
  TcpClientConfigInput,
} from './config.js';
export { SocketServer } from './socket-server.js';
export type { DrainOptions, SocketServerConfig, SocketServerEvents, SocketServerStats } from './server-types.js';
export type { WaitOptions } from './wait-within.js';
export type { ClientInfo } from './server-connection.js';
export { SocketClient } from './socket-client.js';
export type { SocketClientEvents, SocketClientStats } from './socket-client.js';
export type { ReceiveOptions } from './receive-buffer.js';
export { isoInTimeZone, isTimeZone } from './timezone.js';
export {
  SocketError,
  ConnectionError,
  MessageError,
  ValidationError,
  TimeoutError,
  MaxConnectionsError,
  IPC_ERROR_CODES,
} from './errors.js';
export type { IpcErrorCode } from './errors.js';
