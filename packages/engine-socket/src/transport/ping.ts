import { Operation } from './operation.js';
import { ORIGIN } from './connections.js';
import { loadUndici } from '../load.js';
import { readBody } from './read-body.js';

/** A ping answers `OK`; anything past this is not an engine. */
const MAX_PING_BYTES = 4096;

/**
 * One `GET /_ping` on a fresh connection, closed afterwards. Resolves when the socket answers 200 within
 * `timeoutMs`; rejects with the reason otherwise. Detection's check that a socket file is a live engine.
 */
export async function pingSocket(socketPath: string, timeoutMs: number): Promise<void> {
  const { Client } = await loadUndici();
  const client = new Client(ORIGIN, { socketPath, connectTimeout: timeoutMs, headersTimeout: 0, bodyTimeout: 0 });
  const op = new Operation(`GET /_ping on ${socketPath}`, timeoutMs, undefined);
  try {
    const res = await client.request({ method: 'GET', path: '/_ping', signal: op.signal, onInfo: op.onInfo });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`/_ping answered HTTP ${res.statusCode}`);
    }
    await readBody(res.body, MAX_PING_BYTES, op.what); // read, not dumped: a broken body fails the probe
  } catch (err) {
    throw op.toError(err);
  } finally {
    op.finish();
    await client.destroy().catch(() => undefined);
  }
}
