import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';

/**
 * Pauses (`on`) or unpauses a container through the engine's cgroup freezer. Already in that state is not an
 * error (Docker answers 409/500 "is (not) paused", Podman 500 "state improper").
 */
export async function freeze(engine: EngineClient, id: string, name: string, on: boolean): Promise<void> {
  try {
    await engine.json({ method: 'POST', path: `/containers/${id}/${on ? 'pause' : 'unpause'}` });
  } catch (err) {
    const e = containerError(err, `${on ? 'pause' : 'resume'} ${name}`);
    if (on ? e.code === 'CONTAINER_PAUSED' : /not paused/i.test(e.message)) return;
    if (!on && e.code === 'CONTAINER_NOT_RUNNING' && (await isRunningUnpaused(engine, id))) return;
    throw e;
  }
}

async function isRunningUnpaused(engine: EngineClient, id: string): Promise<boolean> {
  try {
    const info = await engine.json<{ State: { Running: boolean; Paused: boolean } }>({ path: `/containers/${id}/json` });
    return info.State.Running && !info.State.Paused;
  } catch {
    return false;
  }
}
