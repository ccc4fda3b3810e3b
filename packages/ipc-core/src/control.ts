import type { MessageCodec } from './codec.js';
import type { IpcErrorCode } from './errors.js';
import { MessageType, createMessage } from './message.js';
import type { SocketMessage } from './message.js';

/** The data of a CONTROL message that reports a condition: `{ code, message }`. */
export interface ControlNotice {
  code: IpcErrorCode;
  message: string;
}

/** A CONTROL frame carrying `{ code, message }`, as the server sends before refusing or dropping a client. */
export function controlFrame(codec: MessageCodec, eventName: string, notice: ControlNotice, timezone = 'UTC'): Buffer {
  const data = { code: notice.code, message: notice.message };
  return codec.encode(createMessage(eventName, data, { type: MessageType.CONTROL, timezone }));
}

/** The `code` of a CONTROL notice, or undefined for any other message. */
export function controlCode(message: SocketMessage): string | undefined {
  if (message.messageType !== MessageType.CONTROL) return undefined;
  const code = message.data['code'];
  return typeof code === 'string' ? code : undefined;
}
