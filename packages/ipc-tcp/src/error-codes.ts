/** The codes this package raises (all from @pocketdock/ipc-core's `SocketError`); each is in the README. */
export const TCP_ERROR_CODES = [
  'IPC_INVALID_OPTIONS',
  'IPC_INVALID_EVENT_NAME',
  'IPC_NO_FREE_PORT',
  'IPC_CONNECTION_FAILED',
  'IPC_TIMEOUT',
] as const;
