import type { EngineClient } from '@pocketdock/engine-socket';

const MAX_BYTES = 64 * 1024;

/**
 * The last `lines` lines of a container's output (stdout and stderr interleaved, as the engine kept them), at most
 * 64 KiB; '' when the engine cannot say. For kawaflow's `crash_details.logs`.
 */
export async function tailLogs(engine: EngineClient, id: string, lines = 50): Promise<string> {
  try {
    const inspect = await engine.json<{ Config?: { Tty?: boolean } }>({ path: `/containers/${id}/json`, timeoutMs: 5_000 });
    const res = await engine.request({ path: `/containers/${id}/logs`, query: { stdout: true, stderr: true, tail: lines }, timeoutMs: 5_000 });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size < MAX_BYTES) chunks.push(chunk);
      size += chunk.length;
    }
    if (res.status !== 200) return '';
    const raw = Buffer.concat(chunks).subarray(0, MAX_BYTES);
    if (inspect.Config?.Tty === true) return raw.toString('utf8');
    // Not a TTY: 8-byte frame headers (stream, 0, 0, 0, size as uint32 BE) before each piece.
    const out: Buffer[] = [];
    for (let at = 0; at + 8 <= raw.length; ) {
      const n = raw.readUInt32BE(at + 4);
      out.push(raw.subarray(at + 8, Math.min(raw.length, at + 8 + n)));
      at += 8 + n;
    }
    return Buffer.concat(out).toString('utf8');
  } catch {
    return '';
  }
}
