#!/usr/bin/env bash
# openssh-server, from Debian's packages: engine-socket's ssh:// tests start a SECOND sshd on 127.0.0.1 (a free
# port, a host key and a client key generated in a temp dir, nothing else) that reaches Docker and Podman through
# `docker system dial-stdio` / `podman system dial-stdio`. Only the binaries are wanted: the system's own sshd
# service is not enabled or started here. Idempotent: an installed sshd is left alone.
set -euo pipefail
if [ -x /usr/sbin/sshd ]; then
  printf '[sshd] %s already installed\n' "$(/usr/sbin/sshd -V 2>&1 | head -n1 || true)" >&2
  exit 0
fi
printf '[sshd] installing openssh-server (apt-get)\n' >&2
apt-get update -qq
# policy-rc.d 101: the package's postinst must not start the system sshd on port 22 (no service manager in CI,
# and nothing here needs it); removed again whatever happens.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null
# sshd refuses to start without its privilege-separation directory
mkdir -p /run/sshd && chmod 755 /run/sshd
printf '[sshd] %s installed\n' "$(/usr/sbin/sshd -V 2>&1 | head -n1 || true)" >&2
