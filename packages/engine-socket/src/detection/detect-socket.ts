import { EngineError } from '../errors.js';
import { isMissing } from './detection-host.js';
import type { DetectionHost } from './detection-host.js';
import type { TlsOptions } from '../remote/tcp-endpoint.js';
import type { SshOptions } from '../remote/ssh-endpoint.js';
import type { SocketStrategy } from './socket-strategies.js';

/** Checks that a socket answers `GET /_ping`; rejects with the reason when it does not. */
export type SocketProbe = (socketPath: string) => Promise<void>;

/** The socket detection chose (or the remote address it met), and which strategy proposed it. */
export type DetectedSocket =
  | { socketPath: string; remote?: undefined; source: string }
  | { socketPath?: undefined; remote: string; tls?: TlsOptions; ssh?: SshOptions; source: string };

/** The code of the process warning emitted for each configured socket that detection skips. */
export const SOCKET_SKIPPED_WARNING = 'ENGINE_SOCKET_SKIPPED';

/**
 * Tries each strategy's candidates in order; the first socket file that exists and answers the probe wins.
 * Missing files, non-sockets and stale sockets are skipped; a skipped candidate of a `configured` strategy (one the
 * user set: `$POCKETDOCK_SOCKET`, `socket:`, `$DOCKER_HOST`) also gets a process warning, code
 * `ENGINE_SOCKET_SKIPPED`, once per candidate: the search goes on, but not silently. When nothing answers:
 * `ENGINE_NOT_FOUND`, listing every place tried and why it was rejected.
 */
export async function detectSocket(host: DetectionHost, strategies: SocketStrategy[], probe: SocketProbe): Promise<DetectedSocket> {
  const tried: string[] = [];
  const seen = new Set<string>();
  for (const strategy of strategies) {
    const { candidates, note, remote, tls, ssh, origin } = await strategy.resolve();
    if (remote !== undefined) return { remote, ...(tls ? { tls } : {}), ...(ssh ? { ssh } : {}), source: origin ?? strategy.name };
    if (candidates.length === 0) tried.push(`${strategy.name}: ${note ?? 'nothing to try'}`);
    for (const socketPath of candidates) {
      const rejected = seen.has(socketPath) ? 'already tried' : await check(host, socketPath, probe);
      seen.add(socketPath);
      if (rejected === undefined) return { socketPath, source: strategy.name };
      tried.push(`${strategy.name}: ${socketPath}: ${rejected}`);
      if (strategy.configured && rejected !== 'already tried') {
        process.emitWarning(`${strategy.name} names ${socketPath}, which was skipped: ${rejected}; trying the next place`, {
          type: 'PocketdockSocketWarning',
          code: SOCKET_SKIPPED_WARNING,
        });
      }
    }
  }
  throw new EngineError(
    'ENGINE_NOT_FOUND',
    `no container engine socket found; tried:\n  ${tried.join('\n  ')}\n` +
      'start Docker or Podman (e.g. `podman system service --time=0 unix:///run/podman/podman.sock`), or set ' +
      'POCKETDOCK_SOCKET (or DOCKER_HOST=unix://...) to the socket path',
  );
}

async function check(host: DetectionHost, socketPath: string, probe: SocketProbe): Promise<string | undefined> {
  try {
    const info = await host.fs.stat(socketPath);
    if (!info.isSocket()) return 'exists but is not a socket';
  } catch (err) {
    return isMissing(err) ? 'no such file' : `cannot stat: ${(err as Error).message}`;
  }
  try {
    await probe(socketPath);
    return undefined;
  } catch (err) {
    return `stale or not an engine (${(err as Error).message})`;
  }
}
