/** The environment variable every exec carries; its value is a fresh nonce per exec. Children inherit it. */
export const EXEC_TAG_VAR = 'POCKETDOCK_EXEC';

/**
 * A POSIX sh script, run by a separate exec, that signals every process carrying `POCKETDOCK_EXEC=<tag>` in the
 * container's own PID namespace: the command and the children it started (they inherit the variable). For KILL it
 * stops the whole set first (nothing can fork between the scan and the kill) and rescans until none is left.
 * Needs only sh, tr and grep (busybox has them) and /proc.
 */
export function killScript(tag: string, signal: string): string {
  return `
tag='${EXEC_TAG_VAR}=${tag}'; sig='${signal}'; round=0
while [ $round -lt 50 ]; do
  found=''
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    [ "$p" = "$$" ] && continue
    if tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qxF "$tag"; then found="$found $p"; fi
  done
  [ -z "$found" ] && exit 0
  if [ "$sig" = KILL ]; then kill -STOP $found 2>/dev/null; kill -KILL $found 2>/dev/null; else kill -$sig $found 2>/dev/null; exit 0; fi
  round=$((round+1))
done
exit 1`;
}

const SIGNALS = new Set(['KILL', 'TERM', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'STOP', 'CONT']);

/** 'SIGTERM' | 'TERM' -> 'TERM'; throws on anything else (the name goes into a shell script). */
export function signalName(signal: string): string {
  const name = signal.toUpperCase().replace(/^SIG/, '');
  if (!SIGNALS.has(name)) throw new Error(`unsupported signal ${signal}; use one of ${[...SIGNALS].join(', ')}`);
  return name;
}
