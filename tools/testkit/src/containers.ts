import { TEST_IMAGE, testLabels } from './engines.js';
import type { TestEngine } from './engines.js';
import { rawJson, rawRequest, rawStream } from './raw-engine.js';

export interface TestContainer {
  id: string;
  engine: TestEngine;
  /** Removes the container (force); safe to call twice. */
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates and starts a labelled, offline container that idles (`sleep` under an init process, so removal is
 * quick). Use with `await using`, or call `remove()` in a `finally`.
 */
export async function startTestContainer(
  engine: TestEngine,
  options: { cmd?: string[]; image?: string } = {},
): Promise<TestContainer> {
  const { socketPath } = engine;
  const created = await rawJson<{ Id: string }>({
    socketPath,
    method: 'POST',
    path: '/v1.41/containers/create',
    body: {
      Image: options.image ?? TEST_IMAGE,
      Cmd: options.cmd ?? ['sleep', '3600'],
      Labels: testLabels(),
      HostConfig: { Init: true, NetworkMode: 'none' },
    },
  });
  const remove = async (): Promise<void> => {
    const res = await rawRequest({ socketPath, method: 'DELETE', path: `/v1.41/containers/${created.Id}?force=true&v=true` });
    if (res.status !== 204 && res.status !== 404) throw new Error(`remove ${created.Id}: HTTP ${res.status}`);
  };
  try {
    await rawJson({ socketPath, method: 'POST', path: `/v1.41/containers/${created.Id}/start` });
  } catch (err) {
    await remove();
    throw err;
  }
  return { id: created.Id, engine, remove, [Symbol.asyncDispose]: remove };
}

/** Removes every container carrying `label` (a `key=value` filter); returns how many there were. */
export async function removeLabelled(engine: TestEngine, label: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = await rawJson<{ Id: string }[]>({
    socketPath: engine.socketPath,
    path: `/v1.41/containers/json?all=true&filters=${filters}`,
  });
  await Promise.all(
    list.map((c) => rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${c.Id}?force=true&v=true` })),
  );
  return list.length;
}

/**
 * How many processes in container `id` carry the environment variable `name` (any value), counted by an exec of
 * our own that reads each `/proc/<pid>/environ`: e.g. a terminal's processes, marked `PD_TERMINAL`.
 */
export async function processesWithEnv(socketPath: string, id: string, name: string): Promise<number> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${JSON.stringify(name)}`);
  const script = `n=0; for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ 2>/dev/null | grep -q '^${name}=' && n=$((n+1)); done; echo $n`;
  const exec = await rawJson<{ Id: string }>({ socketPath, method: 'POST', path: `/v1.41/containers/${id}/exec`, body: { Cmd: ['sh', '-c', script], AttachStdout: true, Tty: true } });
  const res = await rawStream({ socketPath, method: 'POST', path: `/v1.41/exec/${exec.Id}/start`, body: { Detach: false, Tty: true } });
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return Number(text.trim());
}
