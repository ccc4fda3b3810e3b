#!/usr/bin/env bash
# python3-socketio and python3-websocket, from Debian's packages: a Socket.IO client nobody here wrote. flow-manager's
# kawaflow test (packages/flow-manager/test/integration/kawaflow-python.test.ts) drives the service with it, from
# kawaflow's API reference. Debian's /usr/bin/python3 is the one that sees them. Idempotent: installed ones are left alone.
set -euo pipefail
if /usr/bin/python3 -c 'import socketio, websocket' >/dev/null 2>&1; then
  printf '[python-client] python3-socketio %s already installed\n' "$(dpkg-query -W -f='${Version}' python3-socketio 2>/dev/null || echo '?')" >&2
  exit 0
fi
printf '[python-client] installing python3-socketio python3-websocket (apt-get)\n' >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-socketio python3-websocket >/dev/null
/usr/bin/python3 -c 'import socketio, websocket' >/dev/null
printf '[python-client] python3-socketio %s installed\n' "$(dpkg-query -W -f='${Version}' python3-socketio)" >&2
