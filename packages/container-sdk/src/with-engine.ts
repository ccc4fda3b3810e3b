import { EngineClient } from '@pocketdock/engine-socket';

/** Where the standalone functions find the engine: an `EngineClient` to share, or a socket path (else detected). */
export interface EngineOptions {
  engine?: EngineClient;
  socketPath?: string;
}

/** Runs `fn` with the given engine, or with one connected for the call and closed after it. */
export async function withEngine<T>(options: EngineOptions, fn: (engine: EngineClient) => Promise<T>): Promise<T> {
  if (options.engine) return fn(options.engine);
  const engine = await EngineClient.connect(options.socketPath ? { socketPath: options.socketPath } : {});
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
