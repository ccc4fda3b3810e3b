#!/usr/bin/env bash
# The whole test suite, real engines included: `npm test` runs this, and CI runs exactly that (.ci/run).
#
#   1. setup (Node dependencies, Docker + Podman, the test and flow images): see tools/setup.sh
#   2. the gate: nx run-many -t lint typecheck build test  (every package, unit + component + integration)
#   3. the leak check: no container or network from the tests, no image that was not there before, and no
#      pocketdock temp dir may outlive the run
#
# POCKETDOCK_TEST_ENGINES=docker (or podman) narrows the engines for a local run; CI always uses both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
if [ "${CI:-}" = "true" ] && [ -n "${POCKETDOCK_TEST_ENGINES:-}" ] && [ "$POCKETDOCK_TEST_ENGINES" != "docker,podman" ]; then
  echo "[test] CI runs every engine: unset POCKETDOCK_TEST_ENGINES" >&2
  exit 1
fi

# image_ids SOCK -> the ids of every image on that engine, one per line, sorted (empty when it does not answer)
image_ids() {
  [ -S "$1" ] || return 0
  curl -fsS --unix-socket "$1" "http://d/v1.41/images/json?all=true" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).map(i=>i.Id).sort().join("\n")))' || true
}
sockets=(/var/run/docker.sock /run/podman/podman.sock)
declare -A images_before
for sock in "${sockets[@]}"; do images_before[$sock]=$(image_ids "$sock"); done
temp_before=$(ls -d /tmp/pocketdock-* 2>/dev/null | sort || true)
rm -rf tmp/test-failures # tools/testkit/failure-log.cjs writes each project's failed tests there
status=0
npx nx run-many -t lint typecheck build test --outputStyle=static || status=$?

# Leak check. Test containers and networks carry the label pocketdock.test-run (the Jest teardown removes its own run's and
# fails if it had to); anything left now escaped that net. Tests that make an image (snapshot, import) remove it: one
# that was not there before the gate escaped too.
leaks=0
for sock in "${sockets[@]}"; do
  [ -S "$sock" ] || continue
  left=$(curl -fsS --unix-socket "$sock" \
    "http://d/v1.41/containers/json?all=true&filters=%7B%22label%22%3A%5B%22pocketdock.test-run%22%5D%7D" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).map(c=>c.Id.slice(0,12)).join(" ")))')
  if [ -n "$left" ]; then
    echo "[test] LEAK: containers left on $sock: $left" >&2
    leaks=1
  fi
  nets=$(curl -fsS --unix-socket "$sock" \
    "http://d/v1.41/networks?filters=%7B%22label%22%3A%5B%22pocketdock.test-run%22%5D%7D" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).map(n=>n.Name).join(" ")))')
  if [ -n "$nets" ]; then
    echo "[test] LEAK: networks left on $sock: $nets" >&2
    leaks=1
  fi
  new_images=$(comm -13 <(echo "${images_before[$sock]}") <(image_ids "$sock") | grep -v '^$' || true)
  if [ -n "$new_images" ]; then
    echo "[test] LEAK: images left on $sock: $(echo $new_images | cut -c1-200)" >&2
    leaks=1
  fi
done
temp_after=$(ls -d /tmp/pocketdock-* 2>/dev/null | sort || true)
new_temp=$(comm -13 <(echo "$temp_before") <(echo "$temp_after") | grep -v '^$' || true)
if [ -n "$new_temp" ]; then
  echo "[test] LEAK: temp dirs left behind: $new_temp" >&2
  leaks=1
fi
[ "$leaks" = 0 ] && echo "[test] leak check: no test container, network, image or temp dir left behind" >&2

# Every failed test once more, at the end, where a CI log is read from.
if [ -d tmp/test-failures ] && [ -n "$(ls -A tmp/test-failures)" ]; then
  echo "[test] failed tests:" >&2
  cat tmp/test-failures/*.log >&2
fi

[ "$status" = 0 ] && [ "$leaks" = 0 ] && echo "[test] all green" >&2
[ "$status" = 0 ] || exit "$status"
exit "$leaks"
