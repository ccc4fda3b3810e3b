import type { Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';

/** A connected client as the server reports it. */
export interface ClientInfo {
  /** Unique per connection (a random UUID). */
  id: string;
  connectedAt: Date;
  /** The peer's address as the transport describes it (`127.0.0.1:51234`, `unix:/tmp/x.sock`). */
  remote: string;
}

/** The server's state for one connection. Internal. */
export class ServerConnection {
  readonly reader: FrameReader;
  readonly writer: FrameWriter;
  /** Set once the connection is going away: nothing more is read or written. */
  closed = false;
  /** The client was told once that it may not send. */
  toldNoSend = false;
  /** For the stall check: `writer.doneBytes` at the last check, and how many checks in a row saw it unchanged. */
  stallSeenDone = -1;
  stallChecks = 0;

  constructor(
    readonly socket: Socket,
    readonly info: ClientInfo,
    maxMessageBytes: number,
  ) {
    this.reader = new FrameReader(maxMessageBytes);
    this.writer = new FrameWriter(socket);
  }
}
