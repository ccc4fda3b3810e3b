import type { Container } from '@pocketdock/container-sdk';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';

/** The managed container `name`, as it is: never started as a side effect. */
export async function target(ctx: Context, name: string): Promise<Container> {
  const { openContainer } = await import('@pocketdock/container-sdk');
  return openContainer(name, { engine: await ctx.engine() });
}

/** The container's engine state, for commands that need it running. */
export async function isRunning(container: Container): Promise<boolean> {
  const info = await container.engine.json<{ State: { Running: boolean } }>({ path: `/containers/${container.id}/json` });
  return info.State.Running;
}

export function stopped(name: string, cause?: unknown): CliError {
  return new CliError('CLI_CONTAINER_STOPPED', `container ${name} is stopped`, `\`pocketdock resume ${name}\` starts it again`, { cause });
}

/** `CONTAINER_NOT_RUNNING` from a run becomes `CLI_CONTAINER_STOPPED`, which says what to do. */
export function explainStopped(err: unknown, name: string): unknown {
  return (err as { code?: unknown } | undefined)?.code === 'CONTAINER_NOT_RUNNING' ? stopped(name, err) : err;
}
