#!/usr/bin/env bash
# Chromium, from Debian's packages: the dashboard's end-to-end tests (packages/dashboard) drive it headless with
# playwright-core (executablePath /usr/bin/chromium; never a browser download). Idempotent: an installed chromium is
# left alone.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  printf '[chromium] %s already installed\n' "$(/usr/bin/chromium --version 2>/dev/null || echo chromium)" >&2
  exit 0
fi
printf '[chromium] installing chromium (apt-get)\n' >&2
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
printf '[chromium] %s installed\n' "$(/usr/bin/chromium --version 2>/dev/null || echo chromium)" >&2
