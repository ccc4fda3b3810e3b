// The release check, as `sh` text. Both scripts run (as root) straight in the shell that reads them: the warm
// session's `sh` (no subshell: a fork costs more than the rest of the check) or an exec's `sh -c`. They keep PID 1
// (the init process), the container's main process and that shell (`$$`), SIGKILL every other process a lease left
// behind (detached, orphaned or a background job), and `unset` their variables, so nothing of them is left for the
// next lease's commands. Only shell builtins: `read` of /proc files goes byte by byte in busybox's sh (~0.3 ms per
// process), so the quick check reads none.

/**
 * The full check: finds the main process (the lowest-numbered live child of PID 1: it was started first; a lease's
 * orphans are reparented to PID 1 too, later), kills the rest, and prints the main process's PID. Exit 1 (and a
 * message on stderr) when there is no main process. Run when a container joins the pool, and on the exec path.
 */
export const RESET_SCRIPT = [
  '__pd_m= __pd_k=',
  'for __pd_f in /proc/[0-9]*; do',
  '  __pd_p=${__pd_f#/proc/}',
  '  case $__pd_p in 1|"$$") continue;; esac',
  '  read -r __pd_s 2>/dev/null <"$__pd_f/stat" || continue',
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut after its last ") ".
  '  __pd_s=${__pd_s##*) }',
  '  case $__pd_s in Z*) continue;; esac',
  '  __pd_s=${__pd_s#* }',
  '  if [ "${__pd_s%% *}" = 1 ] && { [ -z "$__pd_m" ] || [ "$__pd_p" -lt "$__pd_m" ]; }; then',
  '    __pd_k="$__pd_k $__pd_m" __pd_m=$__pd_p',
  '  else',
  '    __pd_k="$__pd_k $__pd_p"',
  '  fi',
  'done',
  'case $__pd_k in *[0-9]*) kill -9 $__pd_k 2>/dev/null;; esac',
  'unset __pd_k __pd_f __pd_p __pd_s',
  "if [ -n \"$__pd_m\" ]; then echo \"$__pd_m\"; unset __pd_m; else unset __pd_m; echo 'pool reset: no main process' >&2; false; fi",
].join('\n');

/**
 * The quick check, once the main process is known: lists /proc (no file read), kills everything but PID 1, the main
 * process and the shell, and fails when the main process is gone. The main process cannot be replaced while the
 * container runs (when it ends, the init process ends and the container stops), so its PID stays right.
 */
export function quickResetScript(mainPid: number): string {
  if (!Number.isSafeInteger(mainPid) || mainPid < 2) throw new RangeError(`not a main process PID: ${mainPid}`);
  return [
    '__pd_k=',
    'for __pd_f in /proc/[0-9]*; do',
    `  case \${__pd_f#/proc/} in 1|"$$"|${mainPid}) ;; *) __pd_k="$__pd_k \${__pd_f#/proc/}";; esac`,
    'done',
    'case $__pd_k in *[0-9]*) kill -9 $__pd_k 2>/dev/null;; esac',
    'unset __pd_k __pd_f',
    `[ -d /proc/${mainPid} ] || { echo 'pool reset: the main process (${mainPid}) is gone' >&2; false; }`,
  ].join('\n');
}

/** The main process's PID from the full check's output; undefined when it printed none. */
export function parseMainPid(stdout: string): number | undefined {
  const text = stdout.trim();
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

/**
 * The epilogue of a fast-path run: after the command's subshell, in the session's own shell, it looks (lists /proc,
 * kills nothing: what the lease started stays up for its next command) whether anything but PID 1, the main
 * process and the shell is left, and whether the main process lives; then prints one line on stdout,
 * `__PDC_<nonce>_<exit code>_<0 clean | 1 not>__`, and returns the subshell's exit code. A release right after a
 * run that found it clean needs no check of its own (see `PooledContainer.reset`). The format string splits the
 * marker, so its literal text is never in the shell's input.
 */
export function probeEpilogue(mainPid: number, nonce: string): string {
  if (!Number.isSafeInteger(mainPid) || mainPid < 2) throw new RangeError(`not a main process PID: ${mainPid}`);
  return [
    '__pd_r=$? __pd_k=0',
    'for __pd_f in /proc/[0-9]*; do',
    `  case \${__pd_f#/proc/} in 1|"$$"|${mainPid}) ;; *) __pd_k=1;; esac`,
    'done',
    `[ -d /proc/${mainPid} ] || __pd_k=1`,
    `printf '__PD%s_%s_%s_%s__\\n' C ${nonce} "$__pd_r" "$__pd_k"`,
    'unset __pd_k __pd_f',
    '__pd_ret() { return "$1"; }',
    '__pd_ret "$__pd_r"',
  ].join('\n');
}

/** What `probeEpilogue` printed: the output without its line, the command's exit code, and whether it found the container clean. */
export function takeProbe(stdout: string, nonce: string): { stdout: string; exitCode: number; clean: boolean } | undefined {
  const at = stdout.lastIndexOf(`__PDC_${nonce}_`);
  if (at === -1) return undefined;
  const end = stdout.indexOf('__\n', at);
  const fields = end === -1 ? undefined : /^(\d{1,3})_([01])$/.exec(stdout.slice(at + nonce.length + 7, end));
  if (!fields) return undefined;
  return { stdout: stdout.slice(0, at) + stdout.slice(end + 3), exitCode: Number(fields[1]), clean: fields[2] === '0' };
}
