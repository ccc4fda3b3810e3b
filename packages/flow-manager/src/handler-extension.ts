import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';
import type { AckResponse, ClientToServerEvents, ServerToClientEvents } from './event-schemas.js';

export type FlowSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** What an extension's request handler gets besides its payload. */
export interface RequestContext {
  socket: FlowSocket;
  /** The client's `auth.client_id`, if it sent one. */
  identity: string | undefined;
  /** Puts the client into a container's room (and remembers it for its identity). */
  subscribe(containerId: string): Promise<void>;
}

/** One more request event, validated and answered exactly like the built-in ones. */
export interface ExtensionEvent {
  schema: ZodType;
  run(payload: unknown, ctx: RequestContext): Promise<unknown>;
}

/**
 * What a module adds to the Socket.IO layer without the handler knowing it (monitoring, the kawaflow
 * compatibility): more request events, other names for events, and a look at every answer. Contract: `events`
 * and `aliases` are read once, when the handler is built; `connected` and `answered` run synchronously and must
 * not throw (they are called from Socket.IO's dispatch).
 */
export interface HandlerExtension {
  readonly events?: Readonly<Record<string, ExtensionEvent>>;
  /** `alias -> event`: the alias is answered as the event (the name the client used is what `answered` sees). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Requests sent without an acknowledgement are run too; their answer goes only to `answered`. */
  readonly answerWithoutAck?: boolean;
  /** A client connected (after authentication). */
  connected?(socket: FlowSocket): void;
  /** Each answer, with the event name the client used and whether it was acknowledged. */
  answered?(socket: FlowSocket, event: string, payload: unknown, response: AckResponse<unknown>, acked: boolean): void;
}
