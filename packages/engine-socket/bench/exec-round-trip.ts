import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { EngineClient } from '@pocketdock/engine-socket';
import type { TestEngine } from '@pocketdock/testkit';
import { rawJson, rawRequest } from '@pocketdock/testkit';
import { compareMedianMs, fmt } from './measure.js';
import type { Sampled } from './measure.js';

const run = promisify(execFile);
const EXEC = { Cmd: ['true'], AttachStdout: true, AttachStderr: true, Tty: false };

export interface ExecRow {
  engine: string;
  ours: Sampled;
  dockerode: Sampled;
  cli: Sampled;
  raw: Sampled;
}

/** p50 of an exec round trip of `true` (create, start and read to the end, inspect). */
export async function execRoundTrip(engine: TestEngine, containerId: string, iterations: number): Promise<ExecRow> {
  const client = await EngineClient.connect({ socketPath: engine.socketPath });
  const docker = new Docker({ socketPath: engine.socketPath });
  const container = docker.getContainer(containerId);
  const { socketPath } = engine;
  const check = (code: number | null | undefined) => {
    if (code !== 0) throw new Error(`exec exited with ${String(code)}`);
  };
  try {
    const cliArgs: [string, string[]] =
      engine.name === 'docker' ? ['docker', ['--host', `unix://${socketPath}`, 'exec', containerId, 'true']] : ['podman', ['exec', containerId, 'true']];
    const { ours, dockerode, cli, raw } = await compareMedianMs({
    ours: async () => {
      const exec = await client.json<{ Id: string }>({ method: 'POST', path: `/containers/${containerId}/exec`, body: EXEC });
      const res = await client.request({ method: 'POST', path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: false }, stream: true });
      for await (const _ of res.body) {
        // output of `true`: nothing
      }
      check((await client.json<{ ExitCode: number }>({ path: `/exec/${exec.Id}/json` })).ExitCode);
    },
    dockerode: async () => {
      const exec = await container.exec(EXEC);
      const stream = await exec.start({ Detach: false, Tty: false });
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve).on('error', reject).resume();
      });
      check((await exec.inspect()).ExitCode);
    },
    cli: () => run(...cliArgs),
    raw: async () => {
      const exec = await rawJson<{ Id: string }>({ socketPath, method: 'POST', path: `/v1.41/containers/${containerId}/exec`, body: EXEC });
      await rawRequest({ socketPath, method: 'POST', path: `/v1.41/exec/${exec.Id}/start`, body: { Detach: false, Tty: false } });
      check((await rawJson<{ ExitCode: number }>({ socketPath, path: `/v1.41/exec/${exec.Id}/json` })).ExitCode);
    },
    }, iterations);
    const row = { engine: engine.name, ours, dockerode, cli, raw };
    process.stderr.write(
      `${engine.name} exec true p50: ours ${fmt(ours.median, 1)} ms, dockerode ${fmt(dockerode.median, 1)} ms, CLI ${fmt(cli.median, 1)} ms, raw ${fmt(raw.median, 1)} ms\n`,
    );
    return row;
  } finally {
    await client.close();
  }
}
