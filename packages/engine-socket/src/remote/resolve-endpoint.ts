import { resolve } from 'node:path';
import { detectSocket } from '../detection/detect-socket.js';
import type { DetectionHost } from '../detection/detection-host.js';
import { defaultStrategies } from '../detection/socket-strategies.js';
import { toSocketPath } from '../detection/socket-address.js';
import type { ResolvedConnectOptions } from '../options.js';
import { pingSocket } from '../transport/ping.js';
import type { Endpoint } from './endpoint.js';
import { tcpEndpoint } from './tcp-endpoint.js';

/**
 * Where `connect` goes: `socketPath`, else `dockerHost`, else detection. A remote address (`tcp://`) that
 * detection meets in `$DOCKER_HOST` ends detection: it is used, or connecting fails; never a silent fallback to
 * another engine. A Docker context's TLS settings apply unless `tls` is given; a Podman connection's identity
 * file and engine fill what the `ssh` option leaves out.
 */
export async function resolveEndpoint(opts: ResolvedConnectOptions, host: DetectionHost): Promise<Endpoint> {
  if (opts.socketPath) return { transport: 'unix', socketPath: resolve(host.cwd, opts.socketPath) };
  if (opts.dockerHost) return addressEndpoint(opts.dockerHost, 'the dockerHost option', opts, host);
  const found = await detectSocket(host, defaultStrategies(host, { configFiles: opts.configFiles }), (path) => pingSocket(path, opts.probeTimeoutMs));
  if (found.remote !== undefined) {
    const ssh = found.ssh === undefined ? opts.ssh : { ...found.ssh, ...opts.ssh };
    return addressEndpoint(found.remote, found.source, { ...opts, tls: opts.tls ?? found.tls, ssh }, host);
  }
  return { transport: 'unix', socketPath: found.socketPath };
}

async function addressEndpoint(address: string, origin: string, opts: ResolvedConnectOptions, host: DetectionHost): Promise<Endpoint> {
  if (/^tcp:\/\//i.test(address.trim())) {
    return tcpEndpoint(address, { env: host.env, homedir: host.homedir, tls: opts.tls, allowInsecureTcp: opts.allowInsecureTcp, origin });
  }
  if (/^ssh:\/\//i.test(address.trim())) {
    const { sshEndpoint } = await import('./ssh-endpoint.js'); // ssh2 and the key code only for ssh (load.ts)
    return { transport: 'ssh', ...(await sshEndpoint(address, { env: host.env, homedir: host.homedir, ssh: opts.ssh, origin })) };
  }
  return { transport: 'unix', socketPath: toSocketPath(address, host.cwd, origin) };
}
