# Root filesystem pieces shared by tools/images.sh, tools/flow-image.sh and tools/rootfs.sh. Sourced, not run; the
# caller defines log() and die() and runs under `set -euo pipefail`.
#
#   require_busybox_static    install Debian's busybox-static unless /bin/busybox is it and has `sh`
#   busybox_rootfs DIR        fill DIR (created) with busybox and every applet in /bin, /tmp (1777), /etc/passwd,
#                             /etc/group and the empty /root /proc /sys /dev; call require_busybox_static first
#   node_into_rootfs DIR      this machine's node at DIR/usr/local/bin/node, with every library ldd names for it
#                             at the same path under DIR
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

node_into_rootfs() {
  local root=$1 node_bin libs lib
  node_bin=$(readlink -f "$(command -v node)")
  mkdir -p "$root/usr/local/bin"
  cp "$node_bin" "$root/usr/local/bin/node"
  libs=$(ldd "$node_bin") || die "ldd $node_bin failed: $libs"
  if grep -q 'not found' <<<"$libs"; then die "node needs libraries this machine lacks: $libs"; fi
  # `name => /path (addr)`, or `/path (addr)` for the loader; linux-vdso has no file. cp -L: the real file lands at
  # the path ldd names (/lib64/ld-linux-x86-64.so.2 is a symlink on the host).
  for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$libs"); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

rootfs_tar() {
  tar --numeric-owner --owner=0 --group=0 -C "$1" -cf "$2" .
}
