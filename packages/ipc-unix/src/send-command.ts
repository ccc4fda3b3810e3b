import { createConnection } from 'node:net';
import type { Stats } from 'node:fs';
import { ConnectionError, MessageError, SocketError, TimeoutError, ValidationError } from '@pocketdock/ipc-core';
import { assertSameSocket, checkTrustedSocket } from './trusted-socket.js';

export interface SendCommandOptions {
  /** Whole exchange, connect to close, in ms. Default 5000. */
  timeoutMs?: number;
  /** Largest reply accepted, in bytes. Default 16 MiB. */
  maxReplyBytes?: number;
  signal?: AbortSignal;
  /**
   * The uid that must own the socket, in a directory nobody else can change; checked before connecting
   * (`IPC_SOCKET_OWNER_MISMATCH`, `IPC_INSECURE_SOCKET_DIR`). Default: not checked.
   */
  expectedOwner?: number;
}

/**
 * Sends one command to the CommandServer at `path` and resolves with its whole reply. Rejects
 * `IPC_CONNECTION_FAILED`, `IPC_TIMEOUT`, `IPC_REPLY_TOO_LARGE` or `IPC_ABORTED` (with `expectedOwner` also
 * `IPC_SOCKET_OWNER_MISMATCH` or `IPC_INSECURE_SOCKET_DIR`); an error reply is a normal reply (check it with
 * `commandError`).
 *
 * @example
 * const reply = await sendCommand('/run/app/ctl.sock', 'status', { timeoutMs: 2000, expectedOwner: 0 });
 */
export function sendCommand(path: string, command: string, options: SendCommandOptions = {}): Promise<Buffer> {
  if (command.includes('\n')) {
    return Promise.reject(new ValidationError('IPC_INVALID_MESSAGE', 'a command is one line: it cannot contain \\n'));
  }
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(new SocketError('IPC_ABORTED', 'sendCommand was aborted', { cause: signal.reason }));
  const owner = options.expectedOwner;
  if (owner === undefined) return exchange(path, command, options, undefined);
  return checkTrustedSocket(path, owner).then((checked) => exchange(path, command, options, checked));
}

function exchange(path: string, command: string, options: SendCommandOptions, checked: Stats | undefined): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxReplyBytes = options.maxReplyBytes ?? 16 * 1024 * 1024;
  const signal = options.signal;
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (err: SocketError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err === undefined) resolve(Buffer.concat(chunks, bytes));
      else reject(err);
    };
    const onAbort = (): void => finish(new SocketError('IPC_ABORTED', 'sendCommand was aborted', { cause: signal?.reason }));
    const timer = setTimeout(
      () => finish(new TimeoutError('IPC_TIMEOUT', `no reply from ${path} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (cause) =>
      finish(new ConnectionError('IPC_CONNECTION_FAILED', `command to ${path} failed: ${cause.message}`, { cause })),
    );
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxReplyBytes) {
        finish(new MessageError('IPC_REPLY_TOO_LARGE', `reply from ${path} is longer than ${maxReplyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    socket.on('end', () => finish(undefined));
    if (checked === undefined) socket.write(`${command}\n`);
    else {
      socket.once('connect', () => {
        assertSameSocket(path, checked).then(
          () => settled || socket.write(`${command}\n`),
          (err: SocketError) => finish(err),
        );
      });
    }
  });
}
