import { z } from 'zod';

/** Where a flow container finds its socket: the flow-manager bind-mounts a host directory here. */
export const FLOW_SOCKET_DIR = '/run/pocketdock';
/** The socket's event name: the file is `{FLOW_SOCKET_DIR}/{FLOW_SOCKET_NAME}.sock`. */
export const FLOW_SOCKET_NAME = 'flow';
/** The fixed path of the flow's socket inside its container. */
export const FLOW_SOCKET_PATH = `${FLOW_SOCKET_DIR}/${FLOW_SOCKET_NAME}.sock`;

/** The event names on a flow's socket (ipc-core messages, MessagePack framed). */
export const FLOW_EVENTS = {
  /** manager -> flow: `{ request_id, message }`; the flow answers with a `reply`. */
  request: 'flow_request',
  /** flow -> manager: `{ request_id, ok: true, message }` or `{ request_id, ok: false, error }`. */
  reply: 'flow_reply',
  /** flow -> manager, unprompted: `{ event, message }`. */
  event: 'flow_event',
} as const;

/** What a flow event may be called (the same rule as ipc-core event names). */
export const FLOW_EVENT_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export const flowRequestSchema = z.object({ request_id: z.string().min(1).max(64), message: z.unknown() });
export const flowReplySchema = z.union([
  z.object({ request_id: z.string().min(1).max(64), ok: z.literal(true), message: z.unknown() }),
  z.object({ request_id: z.string().min(1).max(64), ok: z.literal(false), error: z.string() }),
]);
export const flowEventSchema = z.object({ event: z.string().regex(FLOW_EVENT_NAME), message: z.unknown() });

export type FlowRequest = z.output<typeof flowRequestSchema>;
export type FlowReply = z.output<typeof flowReplySchema>;
export type FlowEvent = z.output<typeof flowEventSchema>;
