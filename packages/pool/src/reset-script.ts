/**
 * Run (as root) on every release, in a subshell (so it can run inside the warm session without ending it): keeps
 * PID 1 (the init process), the container's main process (the lowest-numbered child of PID 1: it was started
 * first), the shell that runs it (`$$`: the session's shell or the exec's) and the subshell itself, and SIGKILLs
 * everything else a lease left behind, detached or orphaned. Exit 3 when the main process is missing (the
 * container is not healthy). Needs `sh`, `ls`, `grep`, `sort` and `kill` in the image (busybox has them).
 */
export const RESET_SCRIPT = [
  '(',
  'read -r me _ < /proc/self/stat',
  "pids=$(ls /proc | grep -E '^[0-9]+$' | sort -n)",
  'main=',
  'for p in $pids; do',
  '  [ "$p" = 1 ] && continue',
  "  if grep -q '^PPid:[[:space:]]*1$' /proc/$p/status 2>/dev/null; then main=$p; break; fi",
  'done',
  "[ -n \"$main\" ] || { echo 'pool reset: no main process' >&2; exit 3; }",
  'for p in $pids; do',
  '  case "$p" in 1|"$$"|"$me"|"$main") continue;; esac',
  '  kill -9 "$p" 2>/dev/null',
  'done',
  'exit 0',
  ')',
].join('\n');

/** The labels a pool puts on its containers, besides container-sdk's own and the caller's. */
export const POOL_LABELS = {
  /** The pool's `name`. */
  pool: 'pocketdock.pool',
  /** A hash of the pool's container configuration: a restarted pool adopts only matching containers. */
  config: 'pocketdock.pool-config',
} as const;
