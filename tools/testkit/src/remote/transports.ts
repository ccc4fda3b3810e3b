import { testEngines } from '../engines.js';
import type { TestEngine } from '../engines.js';
import { startSshServer } from './ssh-server.js';
import type { SshServer } from './ssh-server.js';
import { startTcpEngine } from './tcp-engine.js';
import type { TcpEngine } from './tcp-engine.js';

export type TransportName = 'unix' | 'tls' | 'ssh';

/**
 * `EngineClient.connect` options for one transport (engine-socket's `ConnectOptions`, written out here: the testkit
 * sits below every package). `host` isolates detection from the machine: no agent, no home directory.
 */
export interface TransportConnectOptions {
  socketPath?: string;
  dockerHost?: string;
  tls?: { certPath: string };
  ssh?: { identityFile: string; knownHostsFiles: string[]; engine: 'docker' | 'podman'; agent: false };
  configFiles: false;
  host: { env: Record<string, string>; homedir: string };
}

/** One engine reached over one transport. `connect()`, `dockerEnv()` and `tls` work once the file's `beforeAll` ran. */
export interface TransportUnderTest {
  engine: TestEngine;
  transport: TransportName;
  /** `docker over tls`: for `describe.each(...)('$label', ...)`. */
  label: string;
  /** The options to connect to it with. */
  connect(): TransportConnectOptions;
  /**
   * The same as the docker CLI's variables (`DOCKER_HOST`, and for TLS `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`), for
   * code that reads the environment (the factory, the cli); `undefined` for ssh, which also needs a key and known_hosts.
   */
  dockerEnv(): Record<string, string> | undefined;
  /** The TLS forwarder (TLS only): its port, the client certificate directory, connections accepted. */
  tls(): TcpEngine | undefined;
  /** The test sshd (ssh only). */
  sshd(): SshServer | undefined;
}

interface Started {
  tls: Map<TestEngine['name'], TcpEngine>;
  sshd?: SshServer;
}

/**
 * The transports under test, for each engine under test: `unix` (its socket), `tls` (a Node TLS listener on
 * 127.0.0.1 with client certificates made by openssl, forwarding to the engine's socket) and `ssh` (a second
 * Debian sshd on 127.0.0.1 whose sessions run `docker|podman system dial-stdio`). Call it at the top of a test file:
 * it registers a `beforeAll` that starts one TLS forwarder per engine and one sshd (only those `transports` needs),
 * and an `afterAll` that stops them and removes their temp dirs, also when the `beforeAll` or a test failed.
 *
 * @example
 * const transports = useTransports();
 * describe.each(transports)('$label', (t) => {
 *   it('pings', async () => {
 *     await using client = await EngineClient.connect(t.connect());
 *   });
 * });
 */
export function useTransports(options: { transports?: readonly TransportName[]; engines?: readonly TestEngine[]; timeoutMs?: number } = {}): TransportUnderTest[] {
  const names = options.transports ?? ['unix', 'tls', 'ssh'];
  const engines = options.engines ?? testEngines();
  const started: Started = { tls: new Map() };
  const isolated = (env: Record<string, string> = {}): TransportConnectOptions['host'] => ({ env, homedir: '/nonexistent' });

  beforeAll(async () => {
    if (names.includes('ssh')) started.sshd = await startSshServer();
    if (names.includes('tls')) for (const engine of engines) started.tls.set(engine.name, await startTcpEngine(engine.socketPath, true));
  }, options.timeoutMs ?? 60_000);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const server of [...started.tls.values(), started.sshd]) {
      try {
        await server?.[Symbol.asyncDispose]();
      } catch (err) {
        failures.push(err);
      }
    }
    started.tls.clear();
    started.sshd = undefined;
    if (failures.length > 0) throw new AggregateError(failures, 'stopping the transports under test failed');
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useTransports: ${what} is not running (did the file's beforeAll fail?)`);
    return value;
  };
  const tlsOf = (engine: TestEngine): TcpEngine => need(started.tls.get(engine.name), `the TLS forwarder to ${engine.name}`);

  const list: TransportUnderTest[] = [];
  for (const engine of engines) {
    for (const transport of names) {
      const base = { engine, transport, label: `${engine.name} over ${transport}` };
      if (transport === 'unix') {
        list.push({
          ...base,
          connect: () => ({ socketPath: engine.socketPath, configFiles: false, host: isolated() }),
          dockerEnv: () => ({ DOCKER_HOST: `unix://${engine.socketPath}` }),
          tls: () => undefined,
          sshd: () => undefined,
        });
      } else if (transport === 'tls') {
        list.push({
          ...base,
          connect: () => ({ dockerHost: `tcp://127.0.0.1:${tlsOf(engine).port}`, tls: { certPath: tlsOf(engine).clientDir }, configFiles: false, host: isolated() }),
          dockerEnv: () => ({ DOCKER_HOST: `tcp://127.0.0.1:${tlsOf(engine).port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tlsOf(engine).clientDir }),
          tls: () => tlsOf(engine),
          sshd: () => undefined,
        });
      } else {
        list.push({
          ...base,
          connect: () => {
            const sshd = need(started.sshd, 'the test sshd');
            // the socket path after the host: `docker -H unix://...` / `podman --url unix://...` on the far side
            return {
              dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${engine.socketPath}`,
              ssh: { identityFile: sshd.clientKey, knownHostsFiles: [sshd.knownHosts], engine: engine.name, agent: false },
              configFiles: false,
              host: isolated({ USER: sshd.user }),
            };
          },
          dockerEnv: () => undefined,
          tls: () => undefined,
          sshd: () => started.sshd,
        });
      }
    }
  }
  return list;
}
