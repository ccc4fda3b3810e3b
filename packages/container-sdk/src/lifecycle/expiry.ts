import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import { expiryOfExitCode } from './reaper.js';
import type { ExpiryReason } from './reaper.js';

/** What a handle knows about its sandbox's self-reaping. */
export interface ReapSettings {
  ttlMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  persist: boolean;
}

/** Why a container that answers "not running" stopped, when its reaper ended it (exit code 81 / 82). */
export async function expiryOfStopped(engine: EngineClient, id: string): Promise<ExpiryReason | undefined> {
  try {
    const info = await engine.json<{ State: { Running: boolean; ExitCode?: number } }>({ path: `/containers/${id}/json` });
    return info.State.Running ? undefined : expiryOfExitCode(info.State.ExitCode);
  } catch {
    return undefined;
  }
}

/** `CONTAINER_EXPIRED`, saying which limit ran out and what became of the container. */
export function expiredError(name: string, why: ExpiryReason, settings: ReapSettings, cause?: unknown): ContainerError {
  const limit = why === 'ttl' ? `its ttlMs (${settings.ttlMs ?? '?'} ms) ran out` : `it had no activity for idleTimeoutMs (${settings.idleTimeoutMs ?? '?'} ms)`;
  const fate = settings.persist ? 'it was stopped (persist): resumeContainer() starts it again' : 'it was removed';
  return new ContainerError('CONTAINER_EXPIRED', `container ${name} expired: ${limit}; ${fate}`, cause === undefined ? undefined : { cause });
}
