// The self-reaping part of a sandbox, as `sh` text run inside the container (busybox sh is enough: only builtins,
// `sleep`, `date`, `cat` and `mkdir`). The reaper is the container's main process, under the init process: when it
// exits, the init process exits, the container stops, and the engine removes it (`AutoRemove`) unless `persist`.
// Nothing outside the container takes part, so it holds when the owner is gone (SIGKILL, a crashed host process).
//
// State lives in a tmpfs (/dev/shm: writable even on a read-only root file system, never committed by a snapshot):
//   deadline  the ttl deadline, epoch seconds (0: none); the lifeline adds to it (`extendTtl`)
//   alive     touched by `keepAlive()`; the reaper deletes it and counts it as activity
//   expired   written by the reaper just before it exits: `ttl` or `idle`
// Activity is any process in the container other than PID 1, the reaper and the reaper's own children (its `sleep`):
// a command, a session's shell, a detached process, the owner's lifeline. A process supervisor living next to the
// reaper would be started by it and excluded the same way, while the processes it supervises count.

/** Where the reaper keeps its state inside the container. */
export const REAPER_DIR = '/dev/shm/.pocketdock';

/** The main process's exit codes when it expired (a stopped `persist` sandbox shows them as its exit code). */
export const EXPIRED_EXIT_CODES = { ttl: 81, idle: 82 } as const;
export type ExpiryReason = keyof typeof EXPIRED_EXIT_CODES;

/** `$1`: ttl in seconds from this start (0: none); `$2`: idle timeout in seconds (0: none). */
export const REAPER_SCRIPT = `d=${REAPER_DIR}
mkdir -p "$d" && chmod 700 "$d"
now=$(date +%s) dl=0
[ "$1" -gt 0 ] && dl=$((now + $1))
echo "$dl" >"$d/deadline"
rm -f "$d/expired" "$d/alive"
last=$now prev=$now
while :; do
  sleep 1
  now=$(date +%s)
  [ $((now - prev)) -gt 5 ] && last=$now
  prev=$now
  read -r dl 2>/dev/null <"$d/deadline"
  case $dl in ''|*[!0-9]*) dl=0;; esac
  [ -e "$d/alive" ] && { rm -f "$d/alive"; last=$now; }
  if [ "$2" -gt 0 ]; then
    for f in /proc/[0-9]*; do
      p=\${f#/proc/}
      case $p in 1|"$$") continue;; esac
      read -r s 2>/dev/null <"$f/stat" || continue
      s=\${s##*) }
      case $s in Z*) continue;; esac
      s=\${s#* }
      [ "\${s%% *}" = "$$" ] && continue
      last=$now
      break
    done
  fi
  why= code=0
  if [ "$dl" -gt 0 ] && [ "$now" -ge "$dl" ]; then why=ttl code=${EXPIRED_EXIT_CODES.ttl}
  elif [ "$2" -gt 0 ] && [ $((now - last)) -ge "$2" ]; then why=idle code=${EXPIRED_EXIT_CODES.idle}
  fi
  if [ -n "$why" ]; then echo "$why" >"$d/expired"; sleep 1; exit $code; fi
done`;

/**
 * The owner's lifeline: an exec whose stdin is the owner's connection. While it runs it counts as activity; when the
 * owner dies the engine closes its stdin and it exits. It takes commands on stdin (`k`: keep alive; `t <seconds>`:
 * extend the ttl) and prints `expired <why>` when the reaper gives up. Run once with a command on stdin, it is also
 * how a client without a lifeline sends one.
 */
export const LIFELINE_SCRIPT = `d=${REAPER_DIR}
( while [ ! -e "$d/expired" ]; do sleep 1; done; echo "expired $(cat "$d/expired")" ) &
w=$!
while read -r c a; do
  case $c in
    k) : >"$d/alive";;
    t) case $a in ''|*[!0-9]*) ;; *) read -r dl <"$d/deadline" && [ "$dl" -gt 0 ] && echo $((dl + a)) >"$d/deadline";; esac;;
  esac
done
[ -e "$d/expired" ] && echo "expired $(cat "$d/expired")"
kill $w 2>/dev/null
exit 0`;

/** The main command of a self-reaping sandbox (ms rounded up to whole seconds; undefined: none). */
export function reaperCommand(ttlMs: number | undefined, idleTimeoutMs: number | undefined): string[] {
  const s = (ms: number | undefined): string => String(ms === undefined ? 0 : Math.ceil(ms / 1000));
  return ['sh', '-c', REAPER_SCRIPT, 'pocketdock-reaper', s(ttlMs), s(idleTimeoutMs)];
}

/** The expiry an exit code of the main process stands for, if any. */
export function expiryOfExitCode(code: number | undefined): ExpiryReason | undefined {
  if (code === EXPIRED_EXIT_CODES.ttl) return 'ttl';
  if (code === EXPIRED_EXIT_CODES.idle) return 'idle';
  return undefined;
}
