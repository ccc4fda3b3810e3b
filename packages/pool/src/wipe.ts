import type { ExecResult } from '@pocketdock/container-sdk';

/**
 * `cleanLeases: 'wipe'`: containers with a read-only root file system and tmpfs scratch directories, wiped on every
 * release. What a lease can write is then only: the scratch tmpfs mounts and the engine's `/dev/shm` and
 * `/dev/mqueue` (emptied), and the engine's other writable mounts (`/dev`, the `/sys/fs/cgroup` tmpfs...) and the
 * IPC namespace (SysV objects), which are not emptied but fingerprinted: any change there, or anything the wipe
 * could not remove or kill, fails the wipe and the container is replaced.
 */

/** The scratch tmpfs mounts of a wiped container unless `scratch` says otherwise (path -> tmpfs mount options). */
export const DEFAULT_SCRATCH: Readonly<Record<string, string>> = {
  '/tmp': 'rw,exec,nosuid,nodev,size=64m,mode=1777',
  '/var/tmp': 'rw,exec,nosuid,nodev,size=64m,mode=1777',
  '/work': 'rw,exec,nosuid,nodev,size=256m,mode=1777',
  '/home': 'rw,exec,nosuid,nodev,size=64m,mode=755',
  '/root': 'rw,exec,nosuid,nodev,size=64m,mode=700',
  '/run': 'rw,nosuid,nodev,size=16m,mode=755',
};

/** Options for the image's own working directory when it is not under a scratch path already. */
const WORKDIR_OPTIONS = 'rw,exec,nosuid,nodev,size=256m,mode=1777';

/** The scratch mounts for an image whose working directory is `workdir` (added unless `/` or under one already). */
export function scratchMounts(scratch: Readonly<Record<string, string>>, workdir: string | undefined): Record<string, string> {
  const out = { ...scratch };
  const dir = workdir?.replace(/\/+$/, '');
  if (dir && dir.startsWith('/') && !Object.keys(out).some((p) => dir === p || dir.startsWith(`${p}/`))) out[dir] = WORKDIR_OPTIONS;
  return out;
}

/** File systems whose writable state dies with the processes (or that a lease cannot write): never fingerprinted. */
const PROCESS_BOUND = new Set(['proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2']);

/** The writable mounts of a container, from its `/proc/self/mountinfo`. */
export interface MountPlan {
  /** The root file system is mounted read-only. */
  rootReadOnly: boolean;
  /** Emptied on every release: the scratch mounts, `/dev/shm`, `/dev/mqueue`. */
  wiped: string[];
  /** Writable but not emptied (`/dev`, a tmpfs under `/sys`...): fingerprinted, a change fails the wipe. */
  watched: string[];
  /** Mount points inside a wiped mount (Podman's `/run/podman-init`): the engine's, never removed. */
  nested: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * Sorts a container's mounts: `scratch` paths and the engine's shm / mqueue mounts are wiped; any other writable
 * mount but a process-bound one (proc, sysfs, devpts, cgroup) is watched. A scratch path that is not a mount of its
 * own (the engine ignored it) is neither: `rootReadOnly` and the check that every scratch path is wiped catch it.
 */
export function planMounts(mountinfo: string, scratch: readonly string[]): MountPlan {
  let rootReadOnly = false;
  const wiped: string[] = [];
  const watched: string[] = [];
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.trim().split(' ');
    const sep = f.indexOf('-');
    if (f.length < 7 || sep < 6) continue;
    const point = unescape(f[4]!);
    const rw = f[5]!.split(',').includes('rw');
    const type = f[sep + 1] ?? '';
    points.push(point);
    if (point === '/') rootReadOnly = !rw;
    if (!rw || point === '/' || PROCESS_BOUND.has(type)) continue;
    if (scratch.includes(point) || point === '/dev/shm' || type === 'mqueue') wiped.push(point);
    else watched.push(point);
  }
  const nested = points.filter((p) => wiped.some((w) => p.startsWith(`${w}/`)));
  return { rootReadOnly, wiped: [...new Set(wiped)], watched: [...new Set(watched)], nested: [...new Set(nested)] };
}

const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
/** A quoted path and its three globs: every entry in it, dotfiles included. */
const entries = (dir: string): string => `${shQuote(dir)}/* ${shQuote(dir)}/.[!.]* ${shQuote(dir)}/..?*`;

/** Rounds of the kill loop before giving up (a process that will not die: the container is replaced). */
const KILL_ROUNDS = 200;

/**
 * The wipe, as `sh` text for the warm session's shell (root): SIGKILLs every process but PID 1, the main process and
 * the shell itself, round after round until none is left (what forks while dying is caught by the next round);
 * removes every entry of every wiped mount (one `rm`, only when there is one: shell builtins look); then prints
 * `__pd_left=<processes still there>` and the md5 sums that make the fingerprint of what must not change: every
 * entry of the watched and wiped mounts (name, type and mode, owner, size, device numbers: no times), the mount
 * table, and the SysV IPC objects. Three forks when nothing was written, four otherwise.
 */
export function wipeScript(mainPid: number, plan: Pick<MountPlan, 'wiped' | 'watched' | 'nested'>): string {
  if (!Number.isSafeInteger(mainPid) || mainPid < 2) throw new RangeError(`not a main process PID: ${mainPid}`);
  const roots = [...plan.watched, ...plan.wiped].map(shQuote).join(' ');
  const globs = plan.wiped.map(entries).join(' ');
  const skip = plan.nested.length > 0 ? `case $__pd_f in ${plan.nested.map(shQuote).join('|')}) continue;; esac; ` : '';
  return [
    '__pd_n=0',
    'while :; do',
    '  __pd_k=',
    `  for __pd_f in /proc/[0-9]*; do case \${__pd_f#/proc/} in 1|"$$"|${mainPid}) ;; *) __pd_k="$__pd_k \${__pd_f#/proc/}";; esac; done`,
    `  [ -z "$__pd_k" ] || [ $__pd_n -ge ${KILL_ROUNDS} ] && break`,
    '  __pd_n=$((__pd_n + 1))',
    '  kill -9 $__pd_k 2>/dev/null',
    'done',
    ...(plan.wiped.length > 0
      ? [
          '__pd_e=',
          `for __pd_f in ${globs}; do ${skip}{ [ -e "$__pd_f" ] || [ -L "$__pd_f" ]; } && { __pd_e=1; break; }; done`,
          `[ -z "$__pd_e" ] || rm -rf -- ${globs} 2>/dev/null`,
        ]
      : []),
    '__pd_n=0',
    'for __pd_f in /proc/[0-9]*; do case ${__pd_f#/proc/} in 1|"$$"|' + String(mainPid) + ') ;; *) __pd_n=$((__pd_n + 1));; esac; done',
    '[ -d /proc/' + String(mainPid) + ' ] || __pd_n=$((__pd_n + 1000))',
    'echo "__pd_left=$__pd_n"',
    `find ${roots} -xdev -exec stat -c '%n %f %u %g %s %t %T' {} + 2>&1 | md5sum - /proc/self/mountinfo /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem 2>&1`,
    'unset __pd_n __pd_k __pd_f __pd_e',
  ].join('\n');
}

/** What one run of the wipe printed: processes left, and the fingerprint; undefined when the output is not the wipe's. */
export function parseWipe(stdout: string): { left: number; fingerprint: string } | undefined {
  const at = stdout.lastIndexOf('__pd_left=');
  const m = at === -1 ? null : /^__pd_left=(\d+)\n([\s\S]*)$/.exec(stdout.slice(at));
  // Five sums (the listing, the mount table, three IPC tables); anything else (a missing file, no md5sum) never matches.
  const sums = m?.[2]!.trim().split('\n') ?? [];
  if (!m || sums.length !== 5 || !sums.every((l) => /^[0-9a-f]{32}  \S+$/.test(l))) return undefined;
  return { left: Number(m[1]), fingerprint: sums.map((l) => l.slice(0, 32)).join(',') };
}

/** Runs a script as root in the container (the warm session, or an exec). */
export type ScriptRunner = (script: string) => Promise<ExecResult>;

/**
 * The wipe of one container. `prepare` reads its mounts, refuses a container whose root is writable or where a
 * scratch path is not a mount of its own, and runs the wipe once on the fresh container: that fingerprint is the
 * baseline. `run` (every release) passes only when no process but PID 1, the main process and the shell is left
 * and the fingerprint equals the baseline.
 */
export class LeaseWipe {
  private constructor(
    private readonly runner: ScriptRunner,
    private readonly script: string,
    readonly plan: MountPlan,
    private readonly baseline: string,
  ) {}

  /** Throws (an Error saying why) when the container cannot be wiped. */
  static async prepare(runner: ScriptRunner, mainPid: number | undefined, scratch: readonly string[]): Promise<LeaseWipe> {
    if (mainPid === undefined) throw new Error('wipe: the main process was not found (no warm session?)');
    const mounts = await runner('cat /proc/self/mountinfo');
    if (mounts.exitCode !== 0) throw new Error(`wipe: cannot read the mount table: ${mounts.stderr.trim()}`);
    const plan = planMounts(mounts.stdout, scratch);
    if (!plan.rootReadOnly) throw new Error('wipe: the root file system is writable (the engine did not honour ReadonlyRootfs)');
    const missing = scratch.filter((p) => !plan.wiped.includes(p));
    if (missing.length > 0) throw new Error(`wipe: scratch path(s) ${missing.join(', ')} are not tmpfs mounts of their own`);
    const script = wipeScript(mainPid, plan);
    const first = parseWipe((await runner(script)).stdout);
    if (!first || first.left !== 0) throw new Error('wipe: the first wipe of the new container did not pass');
    return new LeaseWipe(runner, script, plan, first.fingerprint);
  }

  /** Kills, empties, verifies: true when the container is as clean as when it was made. */
  async run(): Promise<boolean> {
    try {
      const r = parseWipe((await this.runner(this.script)).stdout);
      return r !== undefined && r.left === 0 && r.fingerprint === this.baseline;
    } catch {
      return false;
    }
  }
}
