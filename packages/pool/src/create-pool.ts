import { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { createMultiEnginePool } from './multi-engine-pool.js';
import type { MultiEnginePool } from './multi-engine-pool.js';
import type { MultiPoolOptions } from './multi-options.js';
import { parsePoolOptions } from './options.js';
import type { PoolOptions } from './options.js';
import { Pool, START } from './pool.js';

/**
 * Creates a pool: validates the options (`POOL_INVALID_OPTIONS` names the bad one), connects to the engine (or
 * uses `engine`; unreachable: `POOL_ENGINE_ERROR`), makes sure the `network` exists, adopts matching containers
 * left by an earlier pool of the same name, and fills to `minIdle`.
 *
 * @example
 * await using pool = await createPool({ name: 'runners', image: 'pocketdock/busybox:test', minIdle: 4, maxSize: 16 });
 * await using lease = await pool.acquire({ timeoutMs: 5000 });
 * const r = await lease.container.run('echo hi');
 *
 * With `engines` (sockets, remote addresses, contexts): one pool over several engines, see {@link MultiEnginePool}.
 * await using multi = await createPool({ name: 'runners', image: 'pocketdock/busybox:test', engines: ['/var/run/docker.sock', '/run/podman/podman.sock'] });
 */
export async function createPool(options: MultiPoolOptions): Promise<MultiEnginePool>;
export async function createPool(options: PoolOptions): Promise<Pool>;
export async function createPool(options: PoolOptions | MultiPoolOptions): Promise<Pool | MultiEnginePool> {
  if ((options as Partial<MultiPoolOptions> | undefined)?.engines !== undefined) return createMultiEnginePool(options as MultiPoolOptions);
  const opts = parsePoolOptions(options);
  let engine: EngineClient;
  try {
    engine = opts.engine ?? (await EngineClient.connect(opts.socketPath ? { socketPath: opts.socketPath } : {}));
  } catch (err) {
    // Wrapped once, here: every failure of the pool's API is a PoolError (docs/architecture.md, "Errors").
    throw new PoolError('POOL_ENGINE_ERROR', `pool ${opts.name}: cannot reach the container engine: ${(err as Error).message}`, { cause: err });
  }
  const pool = new Pool(opts, engine, opts.engine === undefined);
  try {
    await pool[START]();
  } catch (err) {
    if (opts.engine === undefined) await engine.close();
    throw PoolError.is(err) ? err : new PoolError('POOL_ENGINE_ERROR', `pool ${opts.name}: starting failed: ${(err as Error).message}`, { cause: err });
  }
  return pool;
}
