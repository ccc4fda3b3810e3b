#!/usr/bin/env bash
# Everything a fresh machine needs before pocketdock runs: Node dependencies, the Docker Engine and Podman's API
# service, and in both the test image (tools/images.sh) and the flow image (tools/flow-image.sh, which builds
# @pocketdock/flow-runtime first). Idempotent: what is already there is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# Node dependencies: exactly the locked tree (`npm ci`), when node_modules is missing or older than the lockfile.
# The lock carries every platform's optional binaries (@swc/core-*, @unrs/resolver-binding-*), so npm ci accepts it
# on any machine; a lock that npm ci refuses is a defect to fix in the commit, never papered over with npm install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash tools/engines.sh up
bash tools/images.sh
bash tools/flow-image.sh
bash tools/tmux.sh
bash tools/sshd.sh
bash tools/redis.sh
bash tools/chromium.sh
bash tools/python-client.sh
