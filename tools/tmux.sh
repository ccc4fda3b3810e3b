#!/usr/bin/env bash
# tmux, from Debian's packages: the CLI's terminal tests (packages/cli: `shell`, `run -it`) drive a real terminal
# with send-keys and capture-pane. Idempotent: an installed tmux is left alone.
set -euo pipefail
if command -v tmux >/dev/null 2>&1; then
  printf '[tmux] %s already installed\n' "$(tmux -V)" >&2
  exit 0
fi
printf '[tmux] installing tmux (apt-get)\n' >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tmux >/dev/null
printf '[tmux] %s installed\n' "$(tmux -V)" >&2
