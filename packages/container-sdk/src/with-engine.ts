import { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from './engine-errors.js';

/** Where the standalone functions find the engine: an `EngineClient` to share, or a socket path (else detected). */
export interface EngineOptions {
  engine?: EngineClient;
  socketPath?: string;
}

/**
 * Connects to the engine at `socketPath` (else detected). A failure (no engine found, nobody answering) is
 * `CONTAINER_ENGINE_ERROR` with the engine-socket error as `cause`, like every other engine failure here.
 */
export async function connectEngine(socketPath: string | undefined): Promise<EngineClient> {
  try {
    return await EngineClient.connect(socketPath ? { socketPath } : {});
  } catch (err) {
    throw containerError(err, 'connect to the container engine');
  }
}

/** Runs `fn` with the given engine, or with one connected for the call and closed after it. */
export async function withEngine<T>(options: EngineOptions, fn: (engine: EngineClient) => Promise<T>): Promise<T> {
  if (options.engine) return fn(options.engine);
  const engine = await connectEngine(options.socketPath);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
