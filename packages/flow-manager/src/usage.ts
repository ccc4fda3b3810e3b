import { openContainer } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { FlowRecord } from './records.js';

/** Takes a resource sample of a running container (container-sdk `info()`: two stats samples 100 ms apart). */
export async function sampleUsage(r: FlowRecord, engine: EngineClient): Promise<void> {
  r.handle ??= await openContainer(r.id, { engine }); // never starts it: a container that just stopped stays stopped
  const info = await r.handle.info();
  r.usage = {
    memory_bytes: info.memoryUsage ?? null,
    memory_limit_bytes: info.memoryLimit ?? null,
    memory_percent: info.memoryPercent ?? null,
    cpu_percent: info.cpuPercent ?? null,
    pids: info.pids ?? null,
    sampled_at: new Date().toISOString(),
  };
}
