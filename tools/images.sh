#!/usr/bin/env bash
# Build pocketdock's test images into every running engine, from a root filesystem tarball (no registry needed).
#
#   tools/images.sh            build what is missing (present: nothing to do)
#   tools/images.sh --force    rebuild
#
# Images:
#   pocketdock/busybox:test    busybox-static with every applet linked in /bin (~2 MB); `sh`, `cat`, `sleep`...
#
# Every image carries the label pocketdock.image=true (containers inherit image labels, so images must not carry
# pocketdock.managed, which marks containers pocketdock created) and pocketdock.image-version: an image whose
# version differs from IMAGE_VERSION here is rebuilt, one that matches is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/rootfs.sh
source tools/lib/rootfs.sh
# shellcheck source=lib/engine-cli.sh
source tools/lib/engine-cli.sh

ENGINES="${POCKETDOCK_ENGINES:-docker podman}"
BUSYBOX_IMAGE=pocketdock/busybox:test
IMAGE_VERSION=2
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

has_image() {
  [ "$($(engine_cli "$1") image inspect --format '{{ index .Config.Labels "pocketdock.image-version" }}' "$2" 2>/dev/null)" = "$IMAGE_VERSION" ]
}

busybox_rootfs_tar() {
  local out=$1 work
  require_busybox_static
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  busybox_rootfs "$work/rootfs"
  rootfs_tar "$work/rootfs" "$out"
}

tarball=""
cleanup() { [ -n "$tarball" ] && rm -f "$tarball"; return 0; }
trap cleanup EXIT
for e in $ENGINES; do
  if [ "$FORCE" = 0 ] && has_image "$e" "$BUSYBOX_IMAGE"; then
    log "$e: $BUSYBOX_IMAGE present"
    continue
  fi
  if [ -z "$tarball" ]; then
    tarball=$(mktemp --suffix=.tar)
    busybox_rootfs_tar "$tarball"
  fi
  log "$e: importing $BUSYBOX_IMAGE"
  old_id=$($(engine_cli "$e") image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE" 2>/dev/null || true)
  # One label per --change: Podman reads `LABEL a=1 b=2` as a single label a="1 b=2".
  $(engine_cli "$e") import --change 'LABEL pocketdock.image=true' --change "LABEL pocketdock.image-version=$IMAGE_VERSION" \
    --change 'CMD ["/bin/sh"]' \
    --change 'ENV PATH=/bin' "$tarball" "$BUSYBOX_IMAGE" >/dev/null 2>&1
  has_image "$e" "$BUSYBOX_IMAGE" || die "$e: $BUSYBOX_IMAGE missing after import"
  # the replaced image, now untagged, goes too (unless a container still uses it)
  [ -n "$old_id" ] && $(engine_cli "$e") rmi "$old_id" >/dev/null 2>&1 || true
done
