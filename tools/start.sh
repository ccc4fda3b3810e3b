#!/usr/bin/env bash
# The main job on a fresh machine: bring up what pocketdock runs on (Node dependencies, Docker + Podman, the test
# and flow images) and report what is running, with versions and socket paths.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/engine-cli.sh
source tools/lib/engine-cli.sh

bash tools/setup.sh

echo
echo "pocketdock: engines"
bash tools/engines.sh status
echo
echo "pocketdock: images"
for e in docker podman; do
  cli=$(engine_cli "$e")
  for image in pocketdock/busybox:test pocketdock/node-flow:test; do
    $cli image inspect "$image" --format "$e  $image  {{.Id}}  {{.Size}} bytes" 2>/dev/null || echo "$e  $image  MISSING"
  done
done

echo
echo "pocketdock: a sandboxed command on each engine, through the pocketdock CLI"
# the CLI and what it uses (container-sdk, factory...): Nx builds the dependencies first
NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false npx nx run @pocketdock/cli:build --outputStyle=static >/dev/null
node tools/demo.mjs
