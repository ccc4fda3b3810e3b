import { userInfo } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { loadSsh2 } from '../load.js';
import { readPem } from './tls-files.js';

/** Settings of an `ssh://` engine (the `ssh` option); anything left out comes from the environment. */
export interface SshOptions {
  /** A private key file (mode 0600 or stricter). Default: the agent, and the first of `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`. */
  identityFile?: string;
  /** A private key's contents (PEM or OpenSSH format); wins over `identityFile`. */
  privateKey?: string | Buffer;
  /** The passphrase of an encrypted private key. */
  passphrase?: string;
  /** The ssh-agent socket (default `$SSH_AUTH_SOCK`); `false`: no agent. */
  agent?: string | false;
  /** known_hosts files to check the host's key against (default `~/.ssh/known_hosts`, `/etc/ssh/ssh_known_hosts`). */
  knownHostsFiles?: string[];
  /** Trust this host key (`SHA256:...`, as `ssh-keygen -lf` prints it) besides those in known_hosts. */
  hostKeyFingerprint?: string;
  /** Connect to a host that known_hosts does not list (default false). A host whose key CHANGED is refused anyway. */
  acceptUnknownHost?: boolean;
  /** Which CLI runs `system dial-stdio` on the far side (default `'docker'`, as `DOCKER_HOST=ssh://` does). */
  engine?: 'docker' | 'podman';
}

/** Everything the ssh transport needs, read and checked; never shown in a message. */
export interface SshSettings {
  /** The command run on the far side: `docker system dial-stdio`, or podman's, with `-H`/`--url` for a socket path. */
  command: string;
  privateKey?: Buffer;
  passphrase?: string;
  agent?: string;
  knownHostsFiles: string[];
  hostKeyFingerprint?: string;
  acceptUnknownHost: boolean;
}

/** What the ssh:// parser reads besides the address. */
export interface SshContext {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  ssh?: SshOptions | undefined;
  /** Where the address came from, for messages. */
  origin: string;
}

/** A socket path on the far side goes into a shell command line: only these characters, nothing a shell reads. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]{1,255}$/;
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const set = (value: string | undefined): value is string => value !== undefined && value !== '';

function configError(message: string, cause?: unknown): EngineError {
  return new EngineError('ENGINE_SSH_CONFIG', message, cause === undefined ? {} : { cause });
}

/**
 * Parses `ssh://[user@]host[:port][/path/to/engine.sock]` as the docker CLI (and podman, for the path) read it: the
 * user defaults to ours, the port to 22; a path names the engine socket on the far side (`docker -H unix://<path>`
 * or `podman --url unix://<path>`). A password in the address is refused: use a key or the agent.
 */
export async function sshEndpoint(address: string, ctx: SshContext): Promise<{ host: string; port: number; user: string; ssh: SshSettings }> {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch (err) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin} is not a valid ssh:// address`, { cause: err });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'ssh:' || host === '' || url.search !== '' || url.hash !== '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin}: expected ssh://[user@]host[:port][/socket/path]`);
  }
  if (url.password !== '') {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin}: an ssh:// address takes no password (use a key or ssh-agent)`);
  }
  const path = decodeURIComponent(url.pathname);
  if (path !== '' && path !== '/' && !SAFE_PATH.test(path)) {
    throw new EngineError('ENGINE_INVALID_CONFIG', `${ctx.origin}: the socket path after the host must be absolute and made of letters, digits, '.', '_', '-' and '/'`);
  }
  const opts = ctx.ssh ?? {};
  const engine = opts.engine ?? 'docker';
  const socket = path === '' || path === '/' ? '' : engine === 'docker' ? ` -H unix://${path}` : ` --url unix://${path}`;
  const user = url.username !== '' ? decodeURIComponent(url.username) : (ctx.env.USER ?? userInfo().username);
  const agent = opts.agent === false ? undefined : (opts.agent ?? (set(ctx.env.SSH_AUTH_SOCK) ? ctx.env.SSH_AUTH_SOCK : undefined));
  const key = await privateKey(opts, ctx.homedir, agent !== undefined);
  return {
    host,
    port: url.port === '' ? 22 : Number(url.port),
    user,
    ssh: {
      command: `${engine}${socket} system dial-stdio`,
      ...(key ? { privateKey: key } : {}),
      ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
      ...(agent ? { agent } : {}),
      knownHostsFiles: opts.knownHostsFiles ?? [join(ctx.homedir, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
      ...(opts.hostKeyFingerprint ? { hostKeyFingerprint: opts.hostKeyFingerprint } : {}),
      acceptUnknownHost: opts.acceptUnknownHost ?? false,
    },
  };
}

/**
 * The private key: the one given, else the identity file (read like ssh reads keys: ours, mode 0600), else the
 * first default key that exists. An encrypted key without its passphrase is refused when given explicitly, and
 * skipped (the agent may hold it) when it is a default one. The key never appears in a message.
 */
async function privateKey(opts: SshOptions, homedir: string, hasAgent: boolean): Promise<Buffer | undefined> {
  const ssh2 = await loadSsh2();
  const check = (key: Buffer, what: string, explicit: boolean): Buffer | undefined => {
    const parsed = ssh2.utils.parseKey(key, opts.passphrase);
    if (!(parsed instanceof Error)) return key;
    if (!explicit && /passphrase/i.test(parsed.message) && hasAgent) return undefined;
    throw configError(`ssh: cannot use the private key ${what}: ${parsed.message.replace(/\s+/g, ' ')}; give ssh.passphrase or use ssh-agent`, parsed);
  };
  if (opts.privateKey !== undefined) return check(Buffer.from(opts.privateKey), '(the privateKey option)', true);
  if (opts.identityFile !== undefined) {
    const key = await readPem(opts.identityFile, true, 'ENGINE_SSH_CONFIG');
    if (key === undefined) throw configError(`ssh: the identity file ${opts.identityFile} does not exist`);
    return check(key, opts.identityFile, true);
  }
  for (const name of DEFAULT_KEYS) {
    const path = join(homedir, '.ssh', name);
    const key = await readPem(path, true, 'ENGINE_SSH_CONFIG');
    if (key !== undefined) return check(key, path, false);
  }
  return undefined;
}
