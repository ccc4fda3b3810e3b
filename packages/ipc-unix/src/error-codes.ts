/** The codes this package raises (all from @pocketdock/ipc-core's `SocketError`); each is in the README. */
export const UNIX_ERROR_CODES = [
  'IPC_INVALID_OPTIONS',
  'IPC_INVALID_EVENT_NAME',
  'IPC_PATH_TRAVERSAL',
  'IPC_PATH_TOO_LONG',
  'IPC_ADDRESS_IN_USE',
  'IPC_CONNECTION_FAILED',
  'IPC_ALREADY_RUNNING',
  'IPC_TIMEOUT',
  'IPC_ABORTED',
  'IPC_INVALID_MESSAGE',
  'IPC_COMMAND_TOO_LARGE',
  'IPC_COMMAND_FAILED',
  'IPC_REPLY_TOO_LARGE',
] as const;
