#!/usr/bin/env bash
# Install, start, stop and report the local container engines that pocketdock tests against.
#
#   tools/engines.sh up       install (Debian packages) and start Docker + Podman; no-op when they answer
#   tools/engines.sh down     stop the engines this script started
#   tools/engines.sh status   print each engine's version and socket, exit 1 when one does not answer
#
# Docker listens on /var/run/docker.sock, Podman's API service on /run/podman/podman.sock.
# POCKETDOCK_ENGINES (default "docker podman") selects which engines to manage.
# Settings come from shared/ENGINE-NOTES.md: they are the ones known to work on these machines.
set -euo pipefail

STATE_DIR="${POCKETDOCK_ENGINE_STATE:-/var/lib/pocketdock-engines}"
DOCKER_SOCK=/var/run/docker.sock
PODMAN_SOCK=/run/podman/podman.sock
ENGINES="${POCKETDOCK_ENGINES:-docker podman}"
WAIT_S="${POCKETDOCK_ENGINE_WAIT_S:-60}"

log() { printf '[engines] %s\n' "$*" >&2; }
die() { printf '[engines] error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root to install and start engines (try: sudo $0 $*)"; }

# ping SOCKET -> 0 when the engine answers GET /_ping with OK
ping_sock() { [ -S "$1" ] && curl -fsS --max-time 2 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; }

wait_ping() {
  local sock=$1 name=$2 log_file=$3 i
  for ((i = 0; i < WAIT_S * 4; i++)); do
    ping_sock "$sock" && return 0
    sleep 0.25
  done
  log "$name did not answer /_ping on $sock within ${WAIT_S}s; last lines of $log_file:"
  tail -n 30 "$log_file" >&2 || true
  return 1
}

APT_UPDATED=0
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

docker_up() {
  if ping_sock "$DOCKER_SOCK"; then log "docker: already answering on $DOCKER_SOCK"; return 0; fi
  need_root
  apt_install docker.io
  mkdir -p "$STATE_DIR/docker"
  rm -f "$DOCKER_SOCK"
  log "docker: starting dockerd"
  # No iptables/bridge: this machine has no use for container networking beyond 'none' and user networks,
  # and tests never talk to container IP addresses.
  nohup dockerd --host "unix://$DOCKER_SOCK" --iptables=false --ip-masq=false --bridge=none \
    --data-root "$STATE_DIR/docker/data" --exec-root "$STATE_DIR/docker/exec" \
    --pidfile "$STATE_DIR/docker/dockerd.pid" >"$STATE_DIR/docker/dockerd.log" 2>&1 </dev/null &
  wait_ping "$DOCKER_SOCK" docker "$STATE_DIR/docker/dockerd.log"
  log "docker: up on $DOCKER_SOCK"
}

podman_conf() {
  local conf=/etc/containers/containers.conf
  if ! grep -q 'pocketdock' "$conf" 2>/dev/null; then
    mkdir -p /etc/containers
    [ -f "$conf" ] && cp "$conf" "$conf.pocketdock-backup"
    # The machine lacks CAP_SYS_RESOURCE (so ulimits must stay within the current ones) and crun refuses the
    # hybrid cgroup layout: cgroupfs + runc work.
    cat >"$conf" <<'CONF'
# written by pocketdock tools/engines.sh
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
  fi
}

podman_up() {
  if ping_sock "$PODMAN_SOCK"; then log "podman: already answering on $PODMAN_SOCK"; return 0; fi
  need_root
  apt_install podman uidmap catatonit runc
  podman_conf
  mkdir -p "$STATE_DIR/podman" "$(dirname "$PODMAN_SOCK")"
  rm -f "$PODMAN_SOCK"
  log "podman: starting podman system service"
  nohup podman system service --time=0 "unix://$PODMAN_SOCK" >"$STATE_DIR/podman/service.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/podman/service.pid"
  wait_ping "$PODMAN_SOCK" podman "$STATE_DIR/podman/service.log"
  log "podman: up on $PODMAN_SOCK"
}

stop_pidfile() {
  local pidfile=$1 name=$2 pid i
  [ -f "$pidfile" ] || { log "$name: not started by this script"; return 0; }
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for ((i = 0; i < 80; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "$name: stopped"
  fi
  rm -f "$pidfile"
}

status_one() {
  local name=$1 sock=$2 v
  if ping_sock "$sock"; then
    v=$(curl -fsS --max-time 5 --unix-socket "$sock" http://d/version)
    node -e '
      const v = JSON.parse(process.argv[1]);
      console.log(`${process.argv[2].padEnd(7)} ${process.argv[3]}  version ${v.Version}  API ${v.ApiVersion} (min ${v.MinAPIVersion})  ${v.Os}/${v.Arch}`);
    ' "$v" "$name" "$sock"
  else
    echo "${name}  ${sock}  NOT ANSWERING"
    return 1
  fi
}

cmd=${1:-status}
rc=0
case "$cmd" in
  up)
    for e in $ENGINES; do "${e}_up"; done
    ;;
  down)
    for e in $ENGINES; do
      case $e in
        docker) stop_pidfile "$STATE_DIR/docker/dockerd.pid" docker ;;
        podman) stop_pidfile "$STATE_DIR/podman/service.pid" podman ;;
      esac
    done
    ;;
  status)
    for e in $ENGINES; do
      case $e in
        docker) status_one docker "$DOCKER_SOCK" || rc=1 ;;
        podman) status_one podman "$PODMAN_SOCK" || rc=1 ;;
      esac
    done
    ;;
  *) die "usage: $0 up|down|status" ;;
esac
exit $rc
