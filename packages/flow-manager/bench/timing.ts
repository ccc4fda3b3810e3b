import type { Socket } from 'socket.io-client';

/** A flow-manager acknowledgement: `{ ok: true, data }` or `{ error: true, message }`. */
export type Ack = { ok?: true; data?: Record<string, unknown>; error?: true; message?: string };

/** Emits `event` and waits for its ack (60 s at most); a refusal throws with the flow-manager's message. */
export async function ack(client: Socket, event: string, payload: unknown): Promise<Record<string, unknown>> {
  const r = (await client.timeout(60_000).emitWithAck(event, payload)) as Ack;
  if (!r.ok) throw new Error(`${event}: ${r.message ?? JSON.stringify(r)}`);
  return r.data ?? {};
}

/** `n` timed runs of `fn` (ms each), one after another, after up to `warmUp` untimed ones. */
export async function times(n: number, fn: () => Promise<unknown>, warmUp: number): Promise<number[]> {
  for (let i = 0; i < Math.min(warmUp, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
