#!/usr/bin/env bash
# The benchmarks, one after another and never two at once (flock), each with the machine's load before and after,
# so a figure can be recorded with the load it was taken under (docs/benchmarks.md).
#
#   npm run bench                               every package's bench/index.ts (nx bench, built packages)
#   npm run bench -- pool ipc-core              those packages only
#   npm run bench -- packages/pool/bench/clean-leases.ts
#                                               one bench file, from source (tsx, the @pocketdock/source condition),
#                                               after building its package (some benches start processes on dist/)
#
# Each run's output is also kept in tmp/bench/<UTC stamp>/<name>.log. Benchmarks never run in `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

entries=("$@")
if [ ${#entries[@]} -eq 0 ]; then
  for dir in packages/*/; do
    [ -f "$dir/bench/index.ts" ] && entries+=("$(basename "$dir")")
  done
fi

out="tmp/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
status=0
for entry in "${entries[@]}"; do
  if [[ "$entry" == *.ts ]]; then
    [ -f "$entry" ] || { echo "[bench] no such file: $entry" >&2; exit 2; }
    name=$(echo "${entry#packages/}" | tr '/' '-')
    project=$(echo "${entry#packages/}" | cut -d/ -f1)
    npx nx build "@pocketdock/$project" --outputStyle=static >"$out/$name.build.log" 2>&1 ||
      { echo "[bench] build of $project failed: $out/$name.build.log" >&2; exit 2; }
    cmd=(node --expose-gc --conditions=@pocketdock/source --import tsx "$entry")
  else
    [ -f "packages/$entry/bench/index.ts" ] || { echo "[bench] no bench in packages/$entry" >&2; exit 2; }
    name=$entry
    cmd=(npx nx bench "@pocketdock/$entry" --skip-nx-cache --outputStyle=static)
  fi
  {
    echo "[bench] $name: ${cmd[*]}"
    echo "[bench] start $(date -u +%FT%TZ), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  } | tee "$out/$name.log" >&2
  flock /tmp/pocketdock-bench.lock "${cmd[@]}" 2>&1 | tee -a "$out/$name.log" || status=1
  echo "[bench] end $(date -u +%FT%TZ), load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/$name.log" >&2
done
echo "[bench] logs in $out" >&2
exit "$status"
