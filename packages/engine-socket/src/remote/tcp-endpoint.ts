import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Endpoint, TlsMaterial } from './endpoint.js';
import { isLoopback } from './endpoint.js';
import { readCertDir, readPem } from './tls-files.js';

/** TLS settings of a `tcp://` engine; anything left out comes from `DOCKER_CERT_PATH`/`DOCKER_TLS_VERIFY`. */
export interface TlsOptions {
  /** A directory holding `ca.pem`, `cert.pem` and `key.pem` (default `$DOCKER_CERT_PATH`, else `~/.docker`). */
  certPath?: string;
  /** PEM contents; each one given here wins over its `*File` and the file of `certPath`. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * PEM files, each winning over the same file of `certPath` (for certificates that do not sit in one directory
   * under Docker's names). A file named here must exist; `keyFile` must be ours (or root's) and mode 0600 or stricter.
   */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Check the engine's certificate and name against the CAs (default true). `false` is never implied. */
  verify?: boolean;
  /** The name the engine's certificate must carry, when it differs from the host. */
  servername?: string;
}

/** What the tcp:// parser reads besides the address. */
export interface TcpContext {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** Explicit TLS: `true` (TLS, settings from the environment) or settings. */
  tls?: boolean | TlsOptions | undefined;
  /** Allow plain (unencrypted) TCP to a host that is not loopback. */
  allowInsecureTcp?: boolean | undefined;
  /** Where the address came from, for messages (`$DOCKER_HOST`, `the dockerHost option`, `context "x"`). */
  origin: string;
}

const set = (value: string | undefined): boolean => value !== undefined && value !== '';
const asBuffer = (value: string | Buffer | undefined): Buffer | undefined => (typeof value === 'string' ? Buffer.from(value) : value);

/**
 * Parses `tcp://host[:port]` into an endpoint, as the docker CLI reads it: TLS when `tls` is given,
 * `DOCKER_TLS_VERIFY` or `DOCKER_TLS` is set, or the port is 2376 (the default port: 2376 with TLS, else 2375);
 * certificates from `DOCKER_CERT_PATH` (default `~/.docker`). Unlike the CLI, TLS always verifies the engine
 * unless `tls.verify` is `false`, and plain TCP is refused (`ENGINE_INSECURE_HOST`) for any host but loopback unless
 * `allowInsecureTcp`: the engine API is root on its host. No credentials or key material ever reach a message.
 */
export async function tcpEndpoint(address: string, ctx: TcpContext): Promise<Endpoint> {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch (err) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin} is not a valid tcp:// address`, { cause: err });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'tcp:' || host === '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin}: expected tcp://host[:port] with nothing after the port`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin}: a tcp:// address takes no user or password (use TLS client certificates)`);
  }
  const explicit = ctx.tls === undefined || ctx.tls === false ? undefined : ctx.tls === true ? {} : ctx.tls;
  const envTls = set(ctx.env.DOCKER_TLS_VERIFY) || set(ctx.env.DOCKER_TLS);
  const port = url.port === '' ? (explicit || envTls ? 2376 : 2375) : Number(url.port);
  const useTls = explicit !== undefined || envTls || (port === 2376 && ctx.tls !== false);
  if (!useTls) {
    if (!isLoopback(host) && ctx.allowInsecureTcp !== true) {
      throw new EngineError(
        'ENGINE_INSECURE_HOST',
        `${ctx.origin} is plain tcp:// to ${host}, which is not loopback: anyone on the path could run containers as root there. ` +
          'Use TLS (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, port 2376, or the tls option) or ssh://, or pass allowInsecureTcp: true',
      );
    }
    return { transport: 'tcp', host, port };
  }
  return { transport: 'tls', host, port, tls: await tlsMaterial(explicit ?? {}, ctx) };
}

/** `caFile`, `certFile` and `keyFile`: each one named must be there (unlike `certPath`'s files, which are optional). */
async function readNamedPems(options: TlsOptions): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const read = async (path: string | undefined, secret: boolean, option: string): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    const pem = await readPem(path, secret);
    if (pem === undefined) throw new EngineError('ENGINE_TLS_CONFIG', `the tls option ${option} names ${path}, which does not exist`);
    return pem;
  };
  const [ca, cert, key] = await Promise.all([read(options.caFile, false, 'caFile'), read(options.certFile, false, 'certFile'), read(options.keyFile, true, 'keyFile')]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

async function tlsMaterial(options: TlsOptions, ctx: TcpContext): Promise<TlsMaterial> {
  const dirFromEnv = ctx.env.DOCKER_CERT_PATH;
  const dir = options.certPath ?? (set(dirFromEnv) ? dirFromEnv! : join(ctx.homedir, '.docker'));
  const [files, named] = await Promise.all([readCertDir(dir), readNamedPems(options)]);
  const ca = asBuffer(options.ca) ?? named.ca ?? files.ca;
  const cert = asBuffer(options.cert) ?? named.cert ?? files.cert;
  const key = asBuffer(options.key) ?? named.key ?? files.key;
  const verify = options.verify ?? true;
  if ((cert === undefined) !== (key === undefined)) {
    throw new EngineError('ENGINE_TLS_CONFIG', `TLS for ${ctx.origin}: a client certificate needs its key and a key its certificate; ${dir} (or the tls option) has only the ${cert ? 'certificate' : 'key'}`);
  }
  if (verify && ca === undefined && set(ctx.env.DOCKER_TLS_VERIFY)) {
    throw new EngineError('ENGINE_TLS_CONFIG', `TLS for ${ctx.origin}: DOCKER_TLS_VERIFY is set but there is no ca.pem in ${dir}`);
  }
  return { verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(options.servername ? { servername: options.servername } : {}) };
}
