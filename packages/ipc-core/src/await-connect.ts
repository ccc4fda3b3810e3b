import type { Socket } from 'node:net';
import { ConnectionError, TimeoutError } from './errors.js';

/**
 * Resolves with `socket` once it is connected. On an error or after `timeoutMs` the socket is destroyed and the
 * promise rejects (`IPC_CONNECTION_FAILED` with the OS error as `cause`, or `IPC_TIMEOUT`). Transports call it
 * from `openConnection()` with the socket they just created.
 */
export function awaitConnect(socket: Socket, address: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
    };
    const onConnect = (): void => {
      done();
      resolve(socket);
    };
    const onError = (cause: Error): void => {
      done();
      socket.destroy();
      reject(new ConnectionError('IPC_CONNECTION_FAILED', `cannot connect to ${address}: ${cause.message}`, { cause }));
    };
    const timer = setTimeout(() => {
      done();
      socket.destroy();
      reject(new TimeoutError('IPC_TIMEOUT', `connecting to ${address} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

/** Ends `socket` politely, destroying it if it has not closed after `graceMs` (a peer that stopped reading). */
export function closeSocket(socket: Socket, graceMs: number, last?: Buffer): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (last === undefined) socket.end();
    else socket.end(last);
  });
}
