#!/usr/bin/env bash
# Release the packages: versions and changelogs from conventional commits (nx release, independent versions, one
# tag per package: @pocketdock/<name>@<version>), then publish what tools/pack.mjs stages (dist/publish/packages/*:
# the consumer's package.json, LICENSE, absolute README links, self-contained source maps), never packages/<name>.
#
#   bash tools/release.sh --dry-run   # npm run release:dry-run: what would change and what would be published
#   bash tools/release.sh             # the real thing (needs npm credentials; commits and tags with git)
#
# Extra arguments go to `nx release version/changelog` (e.g. --first-release, --projects=@pocketdock/ipc-core).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

dry=()
for arg in "$@"; do [ "$arg" = "--dry-run" ] && dry=(--dry-run); done

# 1. versions (package.json, dependents' ranges) and CHANGELOG.md per package, committed and tagged
npx nx release --skip-publish "$@"
# 2. build what gets published, and stage it (a dry run stages the current versions)
npx nx run-many -t build --projects='packages/*' --outputStyle=static
node tools/pack.mjs
# 3. npm publish from each staged directory (nx.json: nx-release-publish packageRoot)
npx nx release publish "${dry[@]}"
