// Detached processes that outlive the client: `sh` text run inside the container (busybox sh is enough: `dd`,
// `stat`, `ls`, `sort`, `setsid`, `kill`, `sleep`). Each process gets its own supervisor, started in the background
// by one short exec: it keeps the output and the exit status in a tmpfs (/dev/shm: writable on a read-only root
// file system, never committed by a snapshot), so any client can read them later, and it ends with its process.
// The supervisor is reparented to the container's init process: for the self-reaping idle timer (lifecycle/reaper.ts)
// it and its process are activity for as long as they run, and nothing once they ended.
//
// One directory per process, /dev/shm/.pocketdock-proc/<id>:
//   cmd    the command, as JSON text (one line)      t     start time, epoch seconds
//   sup    the supervisor's pid                      pid   the command's pid (a session and process group leader)
//   exit   the exit status, written after the last output was stored (absent: running, or lost)
//   o/<n>  output segments (stdout and stderr interleaved), named by the offset of their first byte in the whole
//          output. Only the last one grows. When the output would pass the byte cap, the oldest segment is removed.

/** Where the supervisors keep their state. */
export const PROC_DIR = '/dev/shm/.pocketdock-proc';

/**
 * `$1` id, `$2` byte cap, then the argv. Stores at most `cap` bytes: segments of about cap/4 bytes; the oldest goes
 * only when the next read would not fit, so output up to the cap is kept whole and at least the last cap/2 bytes
 * stay once more was written.
 */
export const SUPERVISOR_SCRIPT = `d=${PROC_DIR}/$1 cap=$2
shift 2
echo $$ >"$d/sup"
w() {
  seg=$((cap / 4)) s=0 n=0 closed=0 q=''
  [ $seg -lt 1 ] && seg=1
  b=$seg
  [ $b -gt 65536 ] && b=65536
  : >"$d/o/0"
  while :; do
    room=$((cap - closed - n))
    if [ $room -gt 0 ]; then
      [ $room -gt $b ] && room=$b
      r=$(dd bs=$room count=1 2>&1 >>"$d/o/$s")
      case $r in 0+0*) break;; esac
    else
      # Full: read aside first, so that output ending exactly at the cap drops nothing.
      r=$(dd bs=$b count=1 2>&1 >"$d/spill")
      case $r in 0+0*) break;; esac
      t=$(stat -c %s "$d/spill")
      while [ $((cap - closed - n)) -lt $t ] && [ -n "$q" ]; do
        f=\${q%% *} q=\${q#* }
        rm -f "$d/o/\${f%:*}"
        closed=$((closed - \${f#*:}))
      done
      cat "$d/spill" >>"$d/o/$s"
    fi
    n=$(stat -c %s "$d/o/$s")
    if [ $n -ge $seg ]; then
      q="$q$s:$n " closed=$((closed + n)) s=$((s + n)) n=0
      : >"$d/o/$s"
    fi
  done
}
{
  setsid sh -c 'echo $$ >"$0/pid.t" && mv "$0/pid.t" "$0/pid" && exec "$@"' "$d" "$@"
  echo $? >"$d/exit.t"
} 2>&1 </dev/null | w
rm -f "$d/spill"
mv "$d/exit.t" "$d/exit"`;

/** `$1` supervisor script, `$2` id, `$3` cap, `$4` command text, then the argv. Prints the command's pid. */
export const SPAWN_SCRIPT = `p=${PROC_DIR} sup=$1 id=$2 cap=$3
mkdir -p "$p" 2>/dev/null; chmod 1777 "$p" 2>/dev/null
mkdir -m 700 "$p/$id" && mkdir "$p/$id/o" || exit 90
printf '%s\\n' "$4" >"$p/$id/cmd"
date +%s >"$p/$id/t"
shift 4
setsid sh -c "$sup" pocketdock-proc "$id" "$cap" "$@" </dev/null >/dev/null 2>&1 &
i=0
while [ ! -e "$p/$id/pid" ] && [ ! -e "$p/$id/exit" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
cat "$p/$id/pid" 2>/dev/null || echo 0`;

/** The state of one process, as a line: `id state exit pid start end first cmd` (`-` for none). */
const STATE_FN = `st() {
  d=${PROC_DIR}/$1
  x=- pid=- t=- s=running
  read -r pid 2>/dev/null <"$d/pid"
  read -r t 2>/dev/null <"$d/t"
  if [ -e "$d/exit" ]; then read -r x <"$d/exit"; s=exited
  else read -r sp 2>/dev/null <"$d/sup"; [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || s=lost
  fi
  set -- $(ls "$d/o" 2>/dev/null | sort -n)
  first=\${1:-0} end=0
  [ $# -gt 0 ] && eval "last=\\\${$#}" && end=$((last + $(stat -c %s "$d/o/$last" 2>/dev/null || echo 0)))
  read -r c 2>/dev/null <"$d/cmd"
  printf '%s %s %s %s %s %s %s %s\\n' "\${d##*/}" "$s" "$x" "\${pid:--}" "\${t:--}" "$end" "$first" "$c"
}`;

/** `$1`: an id, or empty for every process. */
export const LIST_SCRIPT = `${STATE_FN}
if [ -n "$1" ]; then [ -d "${PROC_DIR}/$1/o" ] && st "$1"; exit 0; fi
for d in ${PROC_DIR}/*/o; do [ -d "$d" ] || continue; d=\${d%/o}; st "\${d##*/}"; done`;

/**
 * `$1` id, `$2` offset, `$3` follow (1/0). Frames on stdout: `S` (found), then `D <offset> <length>\\n` then the bytes; at the end
 * `E <exit status>`, `P` (not following, still running), `L` (lost: no supervisor, no status) or `N` (no such id);
 * `H` (a heartbeat) each idle second.
 */
export const ATTACH_SCRIPT = `d=${PROC_DIR}/$1 p=$2 follow=$3 hb=0
[ -d "$d/o" ] || { echo N; exit 0; }
# stdin is the client's connection: when the client goes away it ends, so does \`cat\`, and the loop below sees it.
exec 4<&0
cat <&4 >/dev/null 2>&1 &
w=$!
exec 4<&- 0</dev/null
trap 'kill $w 2>/dev/null' EXIT
echo S
emit() {
  z=$(stat -L -c %s /proc/$$/fd/3) || return 1
  [ $p -lt $s ] && p=$s
  l=$((s + z - p))
  [ $l -gt 0 ] || return 0
  printf 'D %s %s\\n' $p $l
  dd bs=65536 skip=$((p - s)) count=$l iflag=skip_bytes,count_bytes <&3 2>/dev/null
  p=$((p + l))
}
while :; do
  fin=0
  [ -e "$d/exit" ] && fin=1
  again=0
  set -- $(ls "$d/o" 2>/dev/null | sort -n)
  while [ $# -gt 0 ]; do
    s=$1
    shift
    [ $# -gt 0 ] && [ $p -ge $1 ] && continue
    emit 3<"$d/o/$s" || { again=1; break; }
  done
  [ $again = 1 ] && continue
  if [ $fin = 1 ]; then read -r x <"$d/exit"; echo "E $x"; exit 0; fi
  [ "$follow" = 1 ] || { echo P; exit 0; }
  if [ ! -e "$d/exit" ]; then read -r sp 2>/dev/null <"$d/sup"; [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || { echo L; exit 0; }; fi
  # A heartbeat each second: once the client is gone the write fails and the reader ends (no idle activity left).
  hb=$((hb + 1))
  [ $hb -ge 20 ] && { echo H || exit 0; hb=0; }
  kill -0 $w 2>/dev/null || exit 0
  sleep 0.05
done`;

/** `$1` id, `$2` signal: the command's process group. Prints `N` (no such id), `X` (already ended) or `K`. */
export const KILL_SCRIPT = `d=${PROC_DIR}/$1
[ -d "$d/o" ] || { echo N; exit 0; }
[ -e "$d/exit" ] && { echo X; exit 0; }
read -r pid 2>/dev/null <"$d/pid"
# The file may belong to the sandbox's user: only a plain pid above 1 is signalled (never -1, "every process").
case $pid in ''|*[!0-9]*|0|1) echo K; exit 0;; esac
kill -$2 -- -$pid 2>/dev/null || kill -$2 $pid 2>/dev/null
echo K`;

/** `$1` id, `$2` deadline in tenths of a second (0: none). Prints `E <status>`, `T` (deadline), `L` or `N`. */
export const WAIT_SCRIPT = `d=${PROC_DIR}/$1 i=0
[ -d "$d/o" ] || { echo N; exit 0; }
while [ ! -e "$d/exit" ]; do
  read -r sp 2>/dev/null <"$d/sup"; [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || { [ -e "$d/exit" ] || { echo L; exit 0; }; }
  i=$((i + 1))
  [ "$2" -gt 0 ] && [ $i -gt "$2" ] && { echo T; exit 0; }
  sleep 0.1
done
read -r x <"$d/exit"; echo "E $x"`;

/** `$1` id: removes an ended process's directory. Prints `N`, `R` (still running: kept) or `D`. */
export const REMOVE_SCRIPT = `d=${PROC_DIR}/$1
[ -d "$d/o" ] || { echo N; exit 0; }
if [ ! -e "$d/exit" ]; then read -r sp 2>/dev/null <"$d/sup"; [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null && { echo R; exit 0; }; fi
rm -rf "$d"; echo D`;
