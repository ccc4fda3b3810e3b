import Docker from 'dockerode';
import { Pool } from 'undici';
import { EngineClient } from '@pocketdock/engine-socket';
import type { TestEngine } from '@pocketdock/testkit';
import { rawRequest } from '@pocketdock/testkit';
import { compareOpsPerSecond, fmt } from './measure.js';
import type { Sampled } from './measure.js';

export interface ThroughputRow {
  engine: string;
  call: string;
  concurrency: number;
  keepAlive: Sampled;
  perOperation: Sampled;
  dockerode: Sampled;
  raw: Sampled;
  /** A bare undici `Pool` on the same socket, set up as ours is (no pipelining, same keep-alive): our floor. */
  pool: Sampled;
}

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body) {
    // read to the end
  }
}

/** ops/s of GET /_ping and GET /containers/{id}/json, ours (both modes) vs dockerode vs a bare http.request vs a bare undici Pool. */
export async function throughput(engine: TestEngine, containerId: string, rounds: number, roundMs: number): Promise<ThroughputRow[]> {
  const keepAlive = await EngineClient.connect({ socketPath: engine.socketPath, connectionMode: 'keep-alive' });
  const perOperation = await EngineClient.connect({ socketPath: engine.socketPath, connectionMode: 'per-operation' });
  const docker = new Docker({ socketPath: engine.socketPath });
  const container = docker.getContainer(containerId);
  // What EngineClient's keep-alive mode is built on, with nothing of ours: the same options as transport/connections.ts.
  const pool = new Pool('http://localhost', {
    socketPath: engine.socketPath,
    connections: 32,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 4_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const v = `/v${keepAlive.apiVersion}`;
  const calls = {
    'GET /_ping': {
      ours: (c: EngineClient) => async () => drain((await c.request({ path: '/_ping' })).body),
      dockerode: () => docker.ping(),
      raw: () => rawRequest({ socketPath: engine.socketPath, path: '/_ping' }),
      pool: async () => drain((await pool.request({ method: 'GET', path: `${v}/_ping` })).body),
    },
    'GET /containers/{id}/json': {
      ours: (c: EngineClient) => () => c.json({ path: `/containers/${containerId}/json` }),
      dockerode: () => container.inspect(),
      raw: () => rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${containerId}/json` }),
      pool: async () => (await pool.request({ method: 'GET', path: `${v}/containers/${containerId}/json` })).body.json(),
    },
  };
  const rows: ThroughputRow[] = [];
  try {
    for (const [call, ops] of Object.entries(calls)) {
      for (const concurrency of [1, 8]) {
        const measured = await compareOpsPerSecond(
          { keepAlive: ops.ours(keepAlive), pool: ops.pool, perOperation: ops.ours(perOperation), dockerode: ops.dockerode, raw: ops.raw },
          concurrency,
          rounds,
          roundMs,
        );
        const row: ThroughputRow = { engine: engine.name, call, concurrency, ...measured };
        rows.push(row);
        process.stderr.write(
          `${engine.name} ${call} c=${concurrency}: keep-alive ${fmt(row.keepAlive.median)}/s, per-operation ${fmt(row.perOperation.median)}/s, ` +
            `dockerode ${fmt(row.dockerode.median)}/s, raw ${fmt(row.raw.median)}/s, undici Pool ${fmt(row.pool.median)}/s ` +
            `(keep-alive / Pool ${fmt(row.keepAlive.median / row.pool.median, 2)}x)\n`,
        );
      }
    }
  } finally {
    await keepAlive.close();
    await perOperation.close();
    await pool.close();
  }
  return rows;
}
