#!/usr/bin/env bash
# Build the flow image, what a flow container runs, into every running engine from a root filesystem tarball (no
# registry needed).
#
#   tools/flow-image.sh            build it where it is missing or out of date (present: nothing imported)
#   tools/flow-image.sh --force    rebuild
#
# pocketdock/node-flow:test (~115 MB, nearly all of it node):
#   /bin                          busybox with every applet, as in tools/images.sh (tools/lib/rootfs.sh)
#   /usr/local/bin/node           this machine's node, with every library ldd names for it at the same path
#   /opt/pocketdock/node_modules  @pocketdock/flow-runtime and its production dependencies (NODE_PATH, for require)
#   /node_modules                 -> /opt/pocketdock/node_modules: ESM `import` ignores NODE_PATH, but looks in the
#                                 node_modules of every parent directory, so code anywhere resolves it
#   /app                          empty; the working directory, where user code goes (CMD node /app/index.js)
#   /run/pocketdock               empty; the flow-manager bind-mounts the directory holding the flow's socket here
#
# Labels: pocketdock.image=true (never pocketdock.managed: containers inherit image labels) and
# pocketdock.image-version, a hash of this script, its helpers in tools/lib, `node --version` and every staged file
# under /opt/pocketdock. New flow-runtime code therefore rebuilds the image; an unchanged tree leaves it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/rootfs.sh
source tools/lib/rootfs.sh
# shellcheck source=lib/engine-cli.sh
source tools/lib/engine-cli.sh

ENGINES="${POCKETDOCK_ENGINES:-docker podman}"
FLOW_IMAGE=pocketdock/node-flow:test
RUNTIME_PACKAGE=@pocketdock/flow-runtime
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { printf '[flow-image] %s\n' "$*" >&2; }
die() { printf '[flow-image] error: %s\n' "$*" >&2; exit 1; }

image_version() {
  $(engine_cli "$1") image inspect --format '{{ index .Config.Labels "pocketdock.image-version" }}' "$FLOW_IMAGE" \
    2>/dev/null || true
}

work=""
cleanup() { [ -n "$work" ] && rm -rf "$work"; return 0; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d /tmp/pocketdock-flow-image.XXXXXX)
rootfs=$work/rootfs

# The runtime and the workspace packages it needs, built (Nx builds dependencies first: build dependsOn ^build).
if ! NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false npx nx run-many -t build -p "$RUNTIME_PACKAGE" --outputStyle=static \
  >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  die "building $RUNTIME_PACKAGE failed"
fi
staged=$(node tools/lib/stage-node-modules.mjs "$rootfs/opt/pocketdock/node_modules" "$RUNTIME_PACKAGE")
log "staged in /opt/pocketdock/node_modules: ${staged//$'\n'/, }"

node_bin=$(readlink -f "$(command -v node)")
version=$(
  {
    sha256sum tools/flow-image.sh tools/lib/rootfs.sh tools/lib/stage-node-modules.mjs
    "$node_bin" --version
    cd "$rootfs/opt/pocketdock"
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    find . -type l -printf '%p -> %l\n' | LC_ALL=C sort
  } | sha256sum | cut -c1-12
)

todo=""
for e in $ENGINES; do
  if [ "$FORCE" = 0 ] && [ "$(image_version "$e")" = "$version" ]; then
    log "$e: $FLOW_IMAGE present (version $version)"
  else
    todo="$todo $e"
  fi
done
[ -n "$todo" ] || exit 0

require_busybox_static
busybox_rootfs "$rootfs"
mkdir -p "$rootfs/app" "$rootfs/run/pocketdock"
node_into_rootfs "$rootfs"
ln -s /opt/pocketdock/node_modules "$rootfs/node_modules"
rootfs_tar "$rootfs" "$work/rootfs.tar"

for e in $todo; do
  log "$e: importing $FLOW_IMAGE (version $version)"
  old_id=$($(engine_cli "$e") image inspect --format '{{.Id}}' "$FLOW_IMAGE" 2>/dev/null || true)
  # One label per --change: Podman reads `LABEL a=1 b=2` as a single label a="1 b=2".
  if ! $(engine_cli "$e") import --change 'LABEL pocketdock.image=true' \
    --change "LABEL pocketdock.image-version=$version" \
    --change 'ENV PATH=/usr/local/bin:/bin' --change 'ENV NODE_PATH=/opt/pocketdock/node_modules' \
    --change 'WORKDIR /app' --change 'CMD ["node","/app/index.js"]' \
    "$work/rootfs.tar" "$FLOW_IMAGE" >"$work/import.log" 2>&1; then
    cat "$work/import.log" >&2
    die "$e: importing $FLOW_IMAGE failed"
  fi
  [ "$(image_version "$e")" = "$version" ] || die "$e: $FLOW_IMAGE missing after import"
  # the replaced image, now untagged, goes too (unless a container still uses it)
  new_id=$($(engine_cli "$e") image inspect --format '{{.Id}}' "$FLOW_IMAGE")
  [ -n "$old_id" ] && [ "$old_id" != "$new_id" ] && $(engine_cli "$e") rmi "$old_id" >/dev/null 2>&1 || true
done
