#!/usr/bin/env bash
# redis-server, from Debian's packages: the flow-manager's cluster tests and bench (packages/flow-manager, Socket.IO's
# Redis adapter) start their OWN redis-server on 127.0.0.1 and a free port (`--save '' --appendonly no`, nothing on
# disk) and stop it afterwards. Only the binary is wanted: the system's redis service is not enabled or started here.
# Idempotent: an installed redis-server is left alone.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  printf '[redis] %s already installed\n' "$(redis-server --version | head -n1)" >&2
  exit 0
fi
printf '[redis] installing redis-server (apt-get)\n' >&2
# policy-rc.d 101: the package's postinst must not start the system redis on port 6379; removed again whatever happens.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
flock /tmp/apt.lock apt-get update -qq
DEBIAN_FRONTEND=noninteractive flock /tmp/apt.lock apt-get install -y -qq --no-install-recommends redis-server >/dev/null
printf '[redis] %s installed\n' "$(redis-server --version | head -n1)" >&2
