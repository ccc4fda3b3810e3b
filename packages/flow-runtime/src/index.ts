export { connectFlow, Flow } from './flow.js';
export type { FlowEvents, FlowHandler, FlowOptions } from './flow.js';
export {
  FLOW_EVENTS,
  FLOW_EVENT_NAME,
  FLOW_SOCKET_DIR,
  FLOW_SOCKET_NAME,
  FLOW_SOCKET_PATH,
  flowEventSchema,
  flowReplySchema,
  flowRequestSchema,
} from './protocol.js';
export type { FlowEvent, FlowReply, FlowRequest } from './protocol.js';
export { FlowRuntimeError, FLOW_RUNTIME_ERROR_CODES } from './errors.js';
export type { FlowRuntimeErrorCode } from './errors.js';
