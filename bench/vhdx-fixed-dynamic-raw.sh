#!/usr/bin/env bash
# Write speed of a LUN backed by a raw file, a fixed VHDX and a dynamic VHDX, all served by one
# `storlane serve` and driven through iSCSI by `storlane bench`: each pair (raw/fixed, raw/dynamic,
# fixed/dynamic) runs interleaved (A B B A ...) with --repeat runs per side, and `storlane bench
# compare` gives Welch's p and a verdict per row. The seed found fixed VHDX much faster than
# dynamic on its NAS; this measures what Storlane's VHDX costs, with a verdict instead of a guess.
#
#   bench/vhdx-fixed-dynamic-raw.sh [size-GiB] [dir] [repeat] [duration] [results-dir]
#   defaults:                        2          $TMPDIR 5     8s         ./vhdx-bench-results
# Set ARTIFACTS=/some/path to build Storlane there (e.g. when other builds share the tree), and
# SKIP_BUILD=1 to use the build already there.
set -euo pipefail
cd "$(dirname "$0")/.."

size_gib=${1:-2}
parent=${2:-${TMPDIR:-/tmp}}
repeat=${3:-5}
duration=${4:-8s}
results=$(realpath -m "${5:-vhdx-bench-results}")
port=3310
iqn=iqn.2026-11.io.storlane:vhdx-bench
work=$(mktemp -d "$parent/storlane-vhdx-bench.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$results"

build=(dotnet build src/Storlane.Cli -c Release --nologo -v quiet)
storlane=(dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll)
if [[ -n ${ARTIFACTS:-} ]]; then
  build+=(--artifacts-path "$ARTIFACTS")
  storlane=(dotnet "$ARTIFACTS/bin/Storlane.Cli/release/storlane.dll")
fi
if [[ -z ${SKIP_BUILD:-} ]]; then
  "${build[@]}" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
fi

"${storlane[@]}" disk create "$work/fixed.vhdx" --size "${size_gib}GiB" --type fixed >/dev/null
cat >"$work/bench.yaml" <<YAML
portals:
  - address: 127.0.0.1
    port: $port
targets:
  - name: $iqn
    luns:
      - { lun: 0, backend: file, path: $work/raw.img, size: ${size_gib}GiB }
      - { lun: 1, backend: vhdx, path: $work/fixed.vhdx, size: ${size_gib}GiB }
      - { lun: 2, backend: vhdx, path: $work/dynamic.vhdx, size: ${size_gib}GiB }
nop-in-interval: 0
YAML

# Sequential 1 MiB writes (the earlier single run's 0.43x row), random 4 KiB writes (a dynamic
# disk allocates a block and logs its BAT entry at each first touch), and sequential reads.
cat >"$work/vhdx-suite.yaml" <<YAML
name: vhdx-write
duration: $duration
warmup: 2s
queue_depth: 16
tests:
  - { name: "Write Seq 1M QD16", size: 1M, read: 0, random: 0, metric: megabytes_per_second }
  - { name: "Write 4K QD16", size: 4K, read: 0, random: 100, metric: iops }
  - { name: "Read Seq 1M QD16", size: 1M, read: 100, random: 0, metric: megabytes_per_second }
YAML

"${storlane[@]}" serve --config "$work/bench.yaml" --data-dir "$work" >"$work/serve.log" 2>&1 &
server_pid=$!
until grep -q "ready:" "$work/serve.log"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done

lun() { echo "iscsi://127.0.0.1:$port/$iqn/$1"; }
for pair in "raw-vs-fixed 0 1" "raw-vs-dynamic 0 2" "fixed-vs-dynamic 1 2"; do
  read -r name a b <<<"$pair"
  echo "== $name: $repeat interleaved runs of $duration per test and side" >&2
  "${storlane[@]}" bench --write --suite "$work/vhdx-suite.yaml" --target "$(lun "$a")" --target "$(lun "$b")" \
    --repeat "$repeat" --json "$results/$name.json" >"$results/$name.txt"
  "${storlane[@]}" bench compare "$results/$name.json" | tee "$results/$name-compare.txt"
done
echo "results: $results" >&2
