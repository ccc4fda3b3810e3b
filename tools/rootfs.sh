#!/usr/bin/env bash
# Write the root filesystem tarball of an image profile: what `pocketdock build <profile>` imports (no registry).
#
#   tools/rootfs.sh busybox OUT.tar   busybox-static with every applet in /bin (~2 MB)
#   tools/rootfs.sh node OUT.tar      that busybox, this machine's node at /usr/local/bin/node and every library ldd
#                                     names for it, at the same path (~110 MB)
#   tools/rootfs.sh python OUT.tar    Debian 12 (bookworm) minbase plus python3, made by mmdebstrap from Debian's
#                                     packages (installed from Debian when missing). Minutes the first time: the
#                                     tarball is cached in $POCKETDOCK_CACHE_DIR (default /var/cache/pocketdock) and
#                                     reused until its recipe version changes
#
# Every file is owned by root (0:0). Progress and errors go to stderr; nothing to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/rootfs.sh
source tools/lib/rootfs.sh

log() { printf '[rootfs] %s\n' "$*" >&2; }
die() { printf '[rootfs] error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: tools/rootfs.sh busybox|node|python OUT.tar"
profile=$1
out=$2
work=$(mktemp -d /tmp/pocketdock-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
root=$work/rootfs

case "$profile" in
  busybox)
    require_busybox_static
    busybox_rootfs "$root"
    rootfs_tar "$root" "$out"
    ;;
  node)
    require_busybox_static
    busybox_rootfs "$root"
    mkdir -p "$root/app"
    node_into_rootfs "$root"
    rootfs_tar "$root" "$out"
    ;;
  python)
    cache_dir=${POCKETDOCK_CACHE_DIR:-/var/cache/pocketdock}
    # change the recipe version with the mmdebstrap line below, so the cache is rebuilt
    cached=$cache_dir/rootfs-python-bookworm-v1.tar
    if ! [ -s "$cached" ]; then
      if ! command -v mmdebstrap >/dev/null; then
        log "installing mmdebstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
      fi
      mkdir -p "$cache_dir"
      log "mmdebstrap: Debian bookworm minbase + python3 (minutes; cached in $cached)"
      # the host's mirror and keyring (the sources this machine's apt already reaches)
      mmdebstrap --quiet --variant=minbase --include=python3,ca-certificates --format=tar \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        bookworm "$work/python.tar" http://deb.debian.org/debian >&2
      mv "$work/python.tar" "$cached.partial" && mv "$cached.partial" "$cached"
    else
      log "python: cached $cached"
    fi
    cp "$cached" "$out"
    ;;
  *)
    die "unknown profile $profile (busybox, node, python)"
    ;;
esac
