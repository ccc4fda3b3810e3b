import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { Client as SshClient, ClientChannel, ConnectConfig } from 'ssh2';
import { EngineError } from '../errors.js';
import { loadSsh2 } from '../load.js';
import { blobType, fingerprint, judgeHostKey, knownHostsName } from './known-hosts.js';
import { SshChannelSocket } from './ssh-channel-socket.js';
import type { SshSettings } from './ssh-endpoint.js';

/** The ssh endpoint as the tunnel needs it. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  ssh: SshSettings;
  /** The endpoint as messages name it (`ssh://me@host:22 (docker system dial-stdio)`). */
  address: string;
}

/** Host key algorithms ssh2 may negotiate for each key type found in known_hosts. */
const ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

async function readKnownHosts(files: string[]): Promise<string[]> {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return texts.filter((t) => t !== '');
}

/**
 * One SSH connection to an engine host, opened on first use and shared: every HTTP connection undici makes is
 * one exec channel running `<engine> system dial-stdio` on it. The host key is checked against known_hosts
 * (hashed entries included) before anything is sent: an unknown host is refused (`ENGINE_SSH_HOST_UNKNOWN`,
 * naming host and fingerprint) unless `acceptUnknownHost` or a matching `hostKeyFingerprint`, a changed or revoked
 * key always (`ENGINE_SSH_HOST_KEY_CHANGED`). When the connection drops, its channels fail and the next `open()`
 * connects again. `close()` closes every channel and ends the connection.
 */
export class SshTunnel {
  readonly #target: SshTarget;
  readonly #connectTimeoutMs: number;
  readonly #channels = new Set<Duplex>();
  #client: SshClient | undefined;
  #ready: Promise<SshClient> | undefined;
  #closed = false;

  constructor(target: SshTarget, connectTimeoutMs: number) {
    this.#target = target;
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** A new dial-stdio channel to the engine, as a socket undici can speak HTTP over. */
  async open(): Promise<Duplex> {
    const client = await this.#connect();
    const what = this.#target.address;
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const timer = setTimeout(() => reject(new EngineError('ENGINE_TIMEOUT', `${what}: the ssh channel did not open within ${this.#connectTimeoutMs} ms`)), this.#connectTimeoutMs);
      client.exec(this.#target.ssh.command, (err, ch) => {
        clearTimeout(timer);
        if (err) reject(new EngineError('ENGINE_SSH_FAILED', `${what}: the host refused to run "${this.#target.ssh.command}": ${err.message}`, { cause: err }));
        else resolve(ch);
      });
    });
    const socket = new SshChannelSocket(channel, what);
    if (this.#closed) {
      socket.destroy();
      throw new EngineError('ENGINE_CLOSED', `${what}: the EngineClient was closed`);
    }
    this.#channels.add(socket);
    socket.once('close', () => this.#channels.delete(socket));
    return socket;
  }

  /** Destroys every channel and ends the SSH connection; resolves when it has closed. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#channels) socket.destroy();
    this.#channels.clear();
    const client = this.#client;
    this.#client = undefined;
    this.#ready = undefined;
    if (client === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, 1_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }

  #connect(): Promise<SshClient> {
    if (this.#closed) return Promise.reject(new EngineError('ENGINE_CLOSED', `${this.#target.address}: the EngineClient was closed`));
    this.#ready ??= this.#handshake().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #handshake(): Promise<SshClient> {
    const { host, port, user, ssh, address } = this.#target;
    const [texts, ssh2] = await Promise.all([readKnownHosts(ssh.knownHostsFiles), loadSsh2()]);
    const names = [knownHostsName(host, port)];
    let refusal: EngineError | undefined;
    const hostVerifier = (key: Buffer): boolean => {
      const print = fingerprint(key);
      if (ssh.hostKeyFingerprint !== undefined && ssh.hostKeyFingerprint === print) return true;
      const judged = judgeHostKey(texts, names, key);
      if (judged.verdict === 'trusted') return true;
      if (judged.verdict === 'changed') {
        refusal = new EngineError(
          'ENGINE_SSH_HOST_KEY_CHANGED',
          `${address}: the host key of ${names[0]} (${blobType(key)} ${print}) is ${judged.revoked ? 'REVOKED in' : 'NOT the one in'} known_hosts ` +
            `(${ssh.knownHostsFiles.join(', ')}): someone may be intercepting the connection, or the host was reinstalled; refusing to connect`,
        );
        return false;
      }
      if (ssh.acceptUnknownHost) return true;
      const other = judged.knownTypes.length > 0 ? ` (known_hosts lists it only with ${judged.knownTypes.join(', ')} keys)` : '';
      refusal = new EngineError(
        'ENGINE_SSH_HOST_UNKNOWN',
        `${address}: the host ${names[0]} is not in known_hosts${other}; its key is ${blobType(key)} ${print}. ` +
          `Check that fingerprint with the host's owner, then add it (ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts), ` +
          'or pass ssh.hostKeyFingerprint',
      );
      return false;
    };
    const client = new ssh2.Client();
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout: this.#connectTimeoutMs,
      hostVerifier,
      ...(ssh.privateKey ? { privateKey: ssh.privateKey } : {}),
      ...(ssh.passphrase === undefined ? {} : { passphrase: ssh.passphrase }),
      ...(ssh.agent ? { agent: ssh.agent } : {}),
      ...preferKnownAlgorithms(texts, names),
    };
    if (!config.privateKey && !config.agent) {
      throw new EngineError('ENGINE_SSH_CONFIG', `${address}: no ssh key to log in with: no ssh-agent ($SSH_AUTH_SOCK), no ~/.ssh/id_ed25519, id_ecdsa or id_rsa; give ssh.identityFile`);
    }
    return new Promise<SshClient>((resolve, reject) => {
      let settled = false;
      client.on('ready', () => {
        settled = true;
        this.#client = client;
        if (this.#closed) {
          client.end();
          reject(new EngineError('ENGINE_CLOSED', `${address}: the EngineClient was closed`));
          return;
        }
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (settled) return; // after ready: the channels see it; 'close' follows
        settled = true;
        client.destroy();
        reject(refusal ?? sshError(err, address));
      });
      client.on('close', () => {
        if (this.#client === client) {
          this.#client = undefined;
          this.#ready = undefined;
        }
        if (!settled) {
          settled = true;
          reject(refusal ?? new EngineError('ENGINE_CONNECT_FAILED', `${address}: the ssh connection closed during the handshake`));
        }
      });
      client.connect(config);
    });
  }
}

/** Offers first the host key algorithms known_hosts has keys for, as OpenSSH does, so a known host is not "unknown". */
function preferKnownAlgorithms(texts: string[], names: string[]): Pick<ConnectConfig, 'algorithms'> {
  const judged = judgeHostKey(texts, names, Buffer.alloc(0));
  const types = judged.verdict === 'unknown' ? judged.knownTypes : [];
  const algorithms = types.flatMap((t) => ALGORITHMS[t] ?? []);
  return algorithms.length === 0 ? {} : { algorithms: { serverHostKey: { prepend: algorithms } as never } };
}

/** ssh2's error, said with its meaning: a refused login, a failed connection, a timeout. */
function sshError(err: Error & { level?: string; code?: string }, address: string): EngineError {
  if (err.level === 'client-authentication') {
    return new EngineError('ENGINE_SSH_AUTH_FAILED', `${address}: the host refused our login (tried: key, agent): ${err.message}`, { cause: err });
  }
  if (err.level === 'client-timeout') {
    return new EngineError('ENGINE_TIMEOUT', `${address}: the ssh handshake did not finish within connectTimeoutMs`, { cause: err });
  }
  if (err.code !== undefined && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(err.code)) {
    return new EngineError('ENGINE_CONNECT_FAILED', `${address}: cannot connect to the ssh server (${err.code}); is sshd running there?`, { cause: err });
  }
  return new EngineError('ENGINE_SSH_FAILED', `${address}: ssh failed: ${err.message}`, { cause: err });
}
