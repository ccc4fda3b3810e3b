#!/usr/bin/env bash
# Everything a fresh machine needs before pocketdock runs: Node dependencies, the Docker Engine and Podman's API
# service, and in both the test image (tools/images.sh) and the flow image (tools/flow-image.sh, which builds
# @pocketdock/flow-runtime first). Idempotent: what is already there is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# Node dependencies: a clean install when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node dependencies (npm ci)"
  ci_log=$(mktemp)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$ci_log" 2>&1; then
    # npm 11 rejects a lockfile written on Linux that lacks other platforms' optional binaries (@swc/core-darwin-*;
    # npm/cli#4828, #8320). `npm install` honours the same locked versions; it only fills in those records.
    grep -q 'Missing: .* from lock file' "$ci_log" || { cat "$ci_log" >&2; rm -f "$ci_log"; exit 1; }
    log "npm ci refused the lockfile (npm's optional-platform-dependency bug); installing the locked versions with npm install"
    npm install --no-audit --no-fund --loglevel=error
  fi
  rm -f "$ci_log"
fi

bash tools/engines.sh up
bash tools/images.sh
bash tools/flow-image.sh
