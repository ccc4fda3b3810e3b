import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../temp-dir.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/**
 * A second sshd (Debian's openssh-server, installed by tools/sshd.sh) on 127.0.0.1 and a free port, next to
 * nothing else: its own config, a host key and a client key generated in a temp dir, key login only, as root.
 * Its sessions run `docker|podman system dial-stdio` against the real engines. Dispose stops it and removes the
 * dir, whatever happened.
 */
export interface SshServer extends AsyncDisposable {
  port: number;
  user: string;
  dir: string;
  /** The client's private key (mode 0600). */
  clientKey: string;
  /** A known_hosts file listing this server's host key (`[127.0.0.1]:port`), and the same hashed by ssh-keygen -H. */
  knownHosts: string;
  hashedKnownHosts: string;
  /** A known_hosts file listing ANOTHER ed25519 key for this host: a changed key. */
  wrongKnownHosts: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:...`). */
  hostFingerprint: string;
  /** Processes sshd runs for connections now (one per open ssh connection, plus their sessions'). */
  connections(): Promise<number>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function keygen(path: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pocketdock-test', '-f', path]);
}

export async function startSshServer(): Promise<SshServer> {
  const dir = await tempDir();
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await dir[Symbol.asyncDispose]();
  };
  try {
    const p = (name: string): string => join(dir.path, name);
    await Promise.all([keygen(p('host_key')), keygen(p('client_key')), keygen(p('other_host_key'))]);
    await writeFile(p('authorized_keys'), await readFile(p('client_key.pub')));
    const port = await freePort();
    const line = async (key: string): Promise<string> => `[127.0.0.1]:${port} ${(await readFile(p(`${key}.pub`), 'utf8')).split(' ').slice(0, 2).join(' ')}\n`;
    await writeFile(p('known_hosts'), await line('host_key'));
    await writeFile(p('hashed_known_hosts'), await line('host_key'));
    await run('ssh-keygen', ['-q', '-H', '-f', p('hashed_known_hosts')]);
    await writeFile(p('wrong_known_hosts'), await line('other_host_key'));
    const printed = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', p('host_key.pub')])).stdout;
    const hostFingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(printed)![0];
    // StrictModes no: the temp dir lives under /tmp, which is world-writable, and sshd would refuse the key file.
    // SetEnv SHLVL=1: sshd runs every command through the user's shell, and bash sources ~/.bashrc for ssh commands
    // only at shell level 1; root's .bashrc here (pyenv init) cost ~4 s per session, i.e. per HTTP connection.
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${p('host_key')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      `PidFile ${p('sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'AllowUsers root',
      'MaxSessions 64',
      'MaxStartups 64',
      'LogLevel ERROR',
      'SetEnv SHLVL=1',
    ];
    await writeFile(p('sshd_config'), `${config.join('\n')}\n`);
    await chmod(p('client_key'), 0o600);
    // sshd refuses to start without its privilege separation dir (under /run, gone after a reboot)
    await run('mkdir', ['-p', '/run/sshd']);
    child = spawn(SSHD, ['-D', '-e', '-f', p('sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    for (let i = 0; !(await answers(port)); i++) {
      if (child.exitCode !== null || i > 100) throw new Error(`sshd did not start on 127.0.0.1:${port}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      port,
      user: 'root',
      dir: dir.path,
      clientKey: p('client_key'),
      knownHosts: p('known_hosts'),
      hashedKnownHosts: p('hashed_known_hosts'),
      wrongKnownHosts: p('wrong_known_hosts'),
      hostFingerprint,
      connections: async () => {
        const out = await run('pgrep', ['-P', String(child!.pid)]).then((r) => r.stdout, () => '');
        return out.split('\n').filter(Boolean).length;
      },
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
