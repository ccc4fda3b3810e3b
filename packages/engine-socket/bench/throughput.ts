import Docker from 'dockerode';
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
}

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body) {
    // read to the end
  }
}

/** ops/s of GET /_ping and GET /containers/{id}/json, ours (both modes) vs dockerode vs a bare http.request. */
export async function throughput(engine: TestEngine, containerId: string, rounds: number, roundMs: number): Promise<ThroughputRow[]> {
  const keepAlive = await EngineClient.connect({ socketPath: engine.socketPath, connectionMode: 'keep-alive' });
  const perOperation = await EngineClient.connect({ socketPath: engine.socketPath, connectionMode: 'per-operation' });
  const docker = new Docker({ socketPath: engine.socketPath });
  const container = docker.getContainer(containerId);
  const calls = {
    'GET /_ping': {
      ours: (c: EngineClient) => async () => drain((await c.request({ path: '/_ping' })).body),
      dockerode: () => docker.ping(),
      raw: () => rawRequest({ socketPath: engine.socketPath, path: '/_ping' }),
    },
    'GET /containers/{id}/json': {
      ours: (c: EngineClient) => () => c.json({ path: `/containers/${containerId}/json` }),
      dockerode: () => container.inspect(),
      raw: () => rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${containerId}/json` }),
    },
  };
  const rows: ThroughputRow[] = [];
  try {
    for (const [call, ops] of Object.entries(calls)) {
      for (const concurrency of [1, 8]) {
        const measured = await compareOpsPerSecond(
          { keepAlive: ops.ours(keepAlive), perOperation: ops.ours(perOperation), dockerode: ops.dockerode, raw: ops.raw },
          concurrency,
          rounds,
          roundMs,
        );
        const row: ThroughputRow = { engine: engine.name, call, concurrency, ...measured };
        rows.push(row);
        process.stderr.write(
          `${engine.name} ${call} c=${concurrency}: keep-alive ${fmt(row.keepAlive.median)}/s, per-operation ${fmt(row.perOperation.median)}/s, ` +
            `dockerode ${fmt(row.dockerode.median)}/s, raw ${fmt(row.raw.median)}/s\n`,
        );
      }
    }
  } finally {
    await keepAlive.close();
    await perOperation.close();
  }
  return rows;
}
