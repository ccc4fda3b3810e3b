import type { IpcErrorCode } from '@pocketdock/ipc-core';

/** The standard error reply of a CommandServer: one JSON line `{"error":{"code":"...","message":"..."}}`. */
export function errorReply(code: IpcErrorCode, message: string): Buffer {
  return Buffer.from(`${JSON.stringify({ error: { code, message } })}\n`);
}

/**
 * The `{ code, message }` of a standard error reply, or undefined for any other reply.
 *
 * @example
 * const reply = await sendCommand(path, 'status');
 * const failure = commandError(reply);
 * if (failure) throw new Error(`${failure.code}: ${failure.message}`);
 */
export function commandError(reply: Buffer): { code: string; message: string } | undefined {
  if (reply.length === 0 || reply[0] !== 0x7b /* { */) return undefined;
  try {
    const parsed = JSON.parse(reply.toString('utf8')) as unknown;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      return { code: error.code, message: error.message };
    }
  } catch {
    // not JSON: an ordinary reply
  }
  return undefined;
}
