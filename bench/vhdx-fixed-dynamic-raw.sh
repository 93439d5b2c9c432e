#!/usr/bin/env bash
# Write speed of a LUN backed by a raw file, a fixed VHDX and a dynamic VHDX, served by one
# `storlane serve` and written through iSCSI by qemu-img bench, in the same run. The seed found
# fixed VHDX much faster than dynamic on its NAS; this measures what Storlane's VHDX costs.
#
#   bench/vhdx-fixed-dynamic-raw.sh [size-GiB] [dir]
# Needs qemu-utils + qemu-block-extra (qemu-img with the iscsi driver).
set -euo pipefail
cd "$(dirname "$0")/.."

size_gib=${1:-2}
parent=${2:-${TMPDIR:-/tmp}}
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

command -v qemu-img >/dev/null || { echo "missing qemu-img (apt-get install qemu-utils qemu-block-extra)" >&2; exit 2; }
dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null
storlane=(dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll)

"${storlane[@]}" disk create "$work/fixed.vhdx" --size "${size_gib}GiB" --type fixed >/dev/null 2>&1
cat >"$work/bench.yaml" <<YAML
portals:
  - address: 127.0.0.1
    port: 3310
targets:
  - name: iqn.2026-11.io.storlane:vhdx-bench
    luns:
      - { lun: 0, backend: file, path: $work/raw.img, size: ${size_gib}GiB }
      - { lun: 1, backend: vhdx, path: $work/fixed.vhdx, size: ${size_gib}GiB }
      - { lun: 2, backend: vhdx, path: $work/dynamic.vhdx, size: ${size_gib}GiB }
nop-in-interval: 0
YAML
"${storlane[@]}" serve --config "$work/bench.yaml" --data-dir "$work" >"$work/serve.log" 2>&1 &
server_pid=$!
until grep -q "ready:" "$work/serve.log"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done

# MB/s of one qemu-img bench write run: count x buffer bytes over the reported seconds.
bench() {
  local lun=$1 count=$2 buffer=$3 step=$4
  local seconds
  seconds=$(qemu-img bench -f raw -w -t none -c "$count" -d 16 -s "$buffer" -S "$step" \
    "iscsi://127.0.0.1:3310/iqn.2026-11.io.storlane:vhdx-bench/$lun" | grep -o "completed in [0-9.]*" | awk '{print $3}')
  awk -v c="$count" -v b="$(numfmt --from=iec "$buffer")" -v s="$seconds" 'BEGIN { printf "%.1f", c * b / s / 1048576 }'
}

scattered_count=$((size_gib * 1024))
sequential_count=$((size_gib * 1024))
printf "%-40s %10s %10s %10s %12s %12s\n" "workload (QD16)" "raw MB/s" "fixed" "dynamic" "fixed/raw" "dynamic/raw"
# Scattered first, on fresh disks: every 4K write lands in a new 1 MiB stride, so a dynamic disk
# allocates blocks (and logs BAT updates) as it goes.
r=$(bench 0 "$scattered_count" 4K 1M); f=$(bench 1 "$scattered_count" 4K 1M); d=$(bench 2 "$scattered_count" 4K 1M)
printf "%-40s %10s %10s %10s %12s %12s\n" "4K writes, 1 MiB stride (first touch)" "$r" "$f" "$d" \
  "$(awk -v a="$f" -v b="$r" 'BEGIN{printf "%.2f", a/b}')" "$(awk -v a="$d" -v b="$r" 'BEGIN{printf "%.2f", a/b}')"
r=$(bench 0 "$sequential_count" 1M 1M); f=$(bench 1 "$sequential_count" 1M 1M); d=$(bench 2 "$sequential_count" 1M 1M)
printf "%-40s %10s %10s %10s %12s %12s\n" "1 MiB sequential writes (whole disk)" "$r" "$f" "$d" \
  "$(awk -v a="$f" -v b="$r" 'BEGIN{printf "%.2f", a/b}')" "$(awk -v a="$d" -v b="$r" 'BEGIN{printf "%.2f", a/b}')"
