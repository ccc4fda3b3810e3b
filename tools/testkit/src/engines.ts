/** A real container engine the integration tests run against. */
export interface TestEngine {
  name: 'docker' | 'podman';
  socketPath: string;
}

const DEFAULT_SOCKETS: Record<TestEngine['name'], string> = {
  docker: '/var/run/docker.sock',
  podman: '/run/podman/podman.sock',
};

/** The image every integration test uses; built by tools/images.sh. */
export const TEST_IMAGE = 'pocketdock/busybox:test';

/**
 * The image flow containers run: busybox, node, and @pocketdock/flow-runtime in /opt/pocketdock/node_modules
 * (NODE_PATH, and /node_modules for ESM); built by tools/flow-image.sh.
 */
export const FLOW_IMAGE = 'pocketdock/node-flow:test';

/**
 * The engines under test: POCKETDOCK_TEST_ENGINES (comma-separated, default "docker,podman"). Socket paths can be
 * moved with POCKETDOCK_TEST_DOCKER_SOCKET / POCKETDOCK_TEST_PODMAN_SOCKET. Every engine listed must answer: the
 * global setup fails the run otherwise, so a test never skips silently.
 */
export function testEngines(env: NodeJS.ProcessEnv = process.env): TestEngine[] {
  const names = (env.POCKETDOCK_TEST_ENGINES ?? 'docker,podman')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.map((name) => {
    if (name !== 'docker' && name !== 'podman') {
      throw new Error(`POCKETDOCK_TEST_ENGINES: unknown engine "${name}" (use docker and/or podman)`);
    }
    const socketPath = env[`POCKETDOCK_TEST_${name.toUpperCase()}_SOCKET`] ?? DEFAULT_SOCKETS[name];
    return { name, socketPath };
  });
}

/** Labels on everything tests create; the global teardown removes whatever still carries this run's label. */
export function testLabels(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'pocketdock.managed': 'true',
    'pocketdock.test-run': process.env.POCKETDOCK_TEST_RUN ?? 'adhoc',
    ...extra,
  };
}
