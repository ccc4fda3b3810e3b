# Root filesystem pieces shared by tools/images.sh and tools/flow-image.sh. Sourced, not run; the caller defines
# log() and runs under `set -euo pipefail`.
#
#   require_busybox_static    install Debian's busybox-static unless /bin/busybox is it and has `sh`
#   busybox_rootfs DIR        fill DIR (created) with busybox and every applet in /bin, /tmp (1777), /etc/passwd,
#                             /etc/group and the empty /root /proc /sys /dev; call require_busybox_static first
#   rootfs_tar DIR OUT        DIR as an uncompressed tarball OUT, every file owned by root (0:0)

require_busybox_static() {
  # Not `grep -q`: busybox writes the list one name per write(), so a grep that quits at `sh` can SIGPIPE it, and
  # under pipefail the check then failed now and then (45 in 500 here), reinstalling for nothing.
  if ! [ -x /bin/busybox ] || ! /bin/busybox --list 2>/dev/null | grep -x sh >/dev/null ||
    ! dpkg -s busybox-static >/dev/null 2>&1; then
    log "installing busybox-static"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
  fi
}

busybox_rootfs() {
  local root=$1 a
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  # `busybox --list` names busybox itself: skip it, or the binary becomes a symlink to itself.
  for a in $("$root/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

rootfs_tar() {
  tar --numeric-owner --owner=0 --group=0 -C "$1" -cf "$2" .
}
