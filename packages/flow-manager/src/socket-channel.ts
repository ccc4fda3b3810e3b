import { SocketError } from '@pocketdock/ipc-core';
import type { UnixSocketServer } from '@pocketdock/ipc-unix';
import type { FlowEvent } from '@pocketdock/flow-runtime';

export interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One container's socket, its server and what waits on it. */
export interface Channel {
  id: string;
  key: string;
  dir: string;
  /** Undefined while another live server holds the socket (see `held`). */
  server: UnixSocketServer | undefined;
  hostPath: string;
  closed: boolean;
  retry: NodeJS.Timeout | undefined;
  /** Flow connections seen so far (a new one after a restart proves the new run connected). */
  connections: number;
  pending: Map<string, Pending>;
  inbox: FlowEvent[];
  waiters: Array<{ resolve: (e: FlowEvent) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>;
  connectWaiters: Set<{ wake: () => void; fail: (err: Error) => void }>;
  lastCommunication: Date | undefined;
}

export function failPending(channel: Channel, err: Error): void {
  for (const p of channel.pending.values()) {
    clearTimeout(p.timer);
    p.reject(err);
  }
  channel.pending.clear();
}

function failAll(channel: Channel, err: Error): void {
  failPending(channel, err);
  for (const w of channel.waiters.splice(0)) {
    clearTimeout(w.timer);
    w.reject(err);
  }
  for (const w of channel.connectWaiters) w.fail(err);
  channel.connectWaiters.clear();
}

/** Fails everything waiting on the channel and stops its server (or its retries). */
export async function closeChannel(channel: Channel, err: Error): Promise<void> {
  channel.closed = true;
  clearTimeout(channel.retry);
  failAll(channel, err);
  await channel.server?.stop();
}

/** Another live server holds the socket (not a failure to give up on: it is retried). */
export function isHeld(err: unknown): boolean {
  return SocketError.is(err) && err.code === 'IPC_ADDRESS_IN_USE';
}

export function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
