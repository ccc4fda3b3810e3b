import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

// Clients that socket.io-client cannot be made to be: a bare Engine.IO handshake that never goes on, an upgrade with
// headers of our choosing, a WebSocket client that stops reading.

/** An Engine.IO polling handshake (GET); resolves with the HTTP status and the session id if one was opened. */
export function pollingHandshake(url: string, headers: Record<string, string> = {}): Promise<{ status: number; sid: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/socket.io/?EIO=4&transport=polling`, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sid: /"sid":"([^"]+)"/.exec(body)?.[1] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket upgrade request (for session `sid`, or a new one); resolves 101 when accepted, else the HTTP status. */
export function upgradeStatus(url: string, sid: string | undefined, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/socket.io/?EIO=4&transport=websocket${sid ? `&sid=${sid}` : ''}`, {
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (_res, socket: Socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A masked WebSocket text frame, as a client sends it. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

/**
 * A Socket.IO client over a raw WebSocket that connects (token in `auth`) and from then on never reads again: it
 * never answers the server's close frame either, so a server waiting for one waits 30 s. Destroy it when done.
 */
export async function stuckClient(port: number, token: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  let seen = '';
  const until = (what: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!what.test(seen)) return;
        socket.off('data', onData);
        resolve();
      };
      const onData = (d: Buffer): void => {
        seen += d.toString('latin1');
        check();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      check();
    });
  socket.write(
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
  );
  await until(/0\{"sid"/); // switched protocols, and the Engine.IO open packet
  socket.write(frame(`40${JSON.stringify({ token })}`));
  await until(/40\{"sid"/); // the namespace accepted it
  socket.pause();
  return socket;
}
