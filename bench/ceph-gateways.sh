#!/usr/bin/env bash
# RBD behind iSCSI gateways on one throwaway single-node Ceph (memstore OSD, `storlane lab ceph`),
# in one run: librbd direct (`rbd bench`, the ceiling), a Storlane gateway (`storlane serve`,
# backend: rbd) and a tgt-rbd gateway (tgtd with bs_rbd), each on its own prefilled image. The
# gateways get the same client (`storlane bench`, a YAML suite); `rbd bench` drives librbd itself.
# Rows: 4K random QD16 and 128K sequential QD16, read and write. Prints IOPS, MB/s and the ratios
# Storlane / tgt-rbd and Storlane / librbd. Needs root, ceph-mon ceph-osd ceph-mgr ceph-common and tgt-rbd.
#
#   bench/ceph-gateways.sh [seconds-per-run] [image-MiB]
#
# With STORLANE_BASELINE=DIR (a directory holding another build's storlane.dll, e.g. main's
# src/Storlane.Cli/bin/Release/net10.0 copied aside) a second Storlane gateway runs that build on
# its own image in the same run, for an A/B of a change: the "vs base" column is this build / that one.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
image_mib=${2:-512}
work=$(mktemp -d /tmp/storlane-ceph-bench.XXXXXX)
storlane=(dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll)
baseline=${STORLANE_BASELINE:-}
cluster_pid="" storlane_pid="" baseline_pid="" tgtd_pid=""
source bench/lib/stop.sh
cleanup() {
  stop_child "$storlane_pid"
  stop_child "$baseline_pid"
  stop_tgtd "$tgtd_pid" 7311 1
  stop_child "$cluster_pid"
  rm -rf "$work"
}
trap cleanup EXIT

for tool in ceph-mon ceph-osd ceph-mgr rbd tgtd tgtadm; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install ceph-mon ceph-osd ceph-mgr ceph-common tgt-rbd)" >&2; exit 2; }
done
[[ -e /usr/lib/tgt/backing-store/bs_rbd.so ]] || { echo "missing tgtd's rbd backing store (apt-get install tgt-rbd)" >&2; exit 2; }
((EUID == 0)) || { echo "needs root (the Ceph daemons and tgtd)" >&2; exit 2; }
[[ -z $baseline || -e $baseline/storlane.dll ]] || { echo "STORLANE_BASELINE=$baseline holds no storlane.dll" >&2; exit 2; }
images=(direct storlane tgt)
[[ -z $baseline ]] || images+=(baseline)

dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null

# The cluster: memstore sized for the prefilled images and the page overhead of random writes.
"${storlane[@]}" lab ceph --memstore-mib $((image_mib * 2 * ${#images[@]})) >"$work/cluster.log" 2>&1 &
cluster_pid=$!
until grep -q "^ready:" "$work/cluster.log"; do
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$work/cluster.log" >&2; exit 1; }
  sleep 0.5
done
conf=$(sed -n 's/^ready: conf=\([^ ]*\) .*/\1/p' "$work/cluster.log")
rbd_() { rbd -c "$conf" "$@"; }

# One image per path, written end to end first, so reads find data and writes overwrite objects
# that exist (a first write to an object costs an object-map update, on every path alike).
for image in "${images[@]}"; do
  rbd_ create --size "${image_mib}M" "rbd/$image"
  rbd_ bench --io-type write --io-size 4M --io-threads 4 --io-pattern seq --io-total "${image_mib}M" "rbd/$image" >/dev/null
done

# serve_config NAME PORT IMAGE: a `storlane serve` config exporting IMAGE as LUN 0.
serve_config() {
  cat >"$work/$1.yaml" <<YAML
portals:
  - { address: 127.0.0.1, port: $2 }
targets:
  - name: iqn.2026-11.io.storlane:bench
    luns:
      - { lun: 0, backend: rbd, pool: rbd, image: $3, ceph-conf: $conf, physical-block-size: 4096 }
nop-in-interval: 0
YAML
}
serve_config storlane 3310 storlane
"${storlane[@]}" serve --config "$work/storlane.yaml" --data-dir "$work/data" >"$work/storlane.log" 2>&1 &
storlane_pid=$!
if [[ -n $baseline ]]; then
  serve_config baseline 3312 baseline
  dotnet "$baseline/storlane.dll" serve --config "$work/baseline.yaml" --data-dir "$work/baseline-data" >"$work/baseline.log" 2>&1 &
  baseline_pid=$!
fi

tgtd -f -C 7311 --iscsi portal=127.0.0.1:3311 >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
sleep 2
tgtadm -C 7311 --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.io.storlane:tgt-rbd
tgtadm -C 7311 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rbd --backing-store rbd/tgt --bsopts "conf=$conf"
tgtadm -C 7311 --lld iscsi --op bind --mode target --tid 1 -I ALL
for gw in storlane ${baseline:+baseline}; do
  pid_var=${gw}_pid
  until grep -q "ready:" "$work/$gw.log"; do
    kill -0 "${!pid_var}" 2>/dev/null || { cat "$work/$gw.log" >&2; exit 1; }
    sleep 0.2
  done
done

# The rows, for the gateways: one storlane bench suite per row, so the paths take turns row by row
# and a change in the machine's load during the run (other work on its cores) spreads over all of
# them instead of landing on whichever path ran last.
rows=("4K random read QD16|4K|100|100" "4K random write QD16|4K|0|100" "128K sequential read QD16|128K|100|0" "128K sequential write QD16|128K|0|0")
for i in "${!rows[@]}"; do
  IFS='|' read -r name size read random <<<"${rows[$i]}"
  cat >"$work/suite$i.yaml" <<YAML
name: ceph-gateways
duration: ${seconds}s
warmup: 1s
queue_depth: 16
tests:
  - { name: $name, size: $size, read: $read, random: $random }
YAML
done

# storlane bench NAME URL ROW: prints "row|iops|MB/s".
gateway() {
  "${storlane[@]}" bench --target "$2" --suite "$work/suite$3.yaml" --write --csv "$work/$1.csv" >"$work/$1.bench.log" 2>&1 ||
    { cat "$work/$1.bench.log" >&2; exit 1; }
  tail -n +2 "$work/$1.csv" | awk -F, '{ printf "%s|%.0f|%.1f\n", $1, $10, $11 }'
}

# rbd bench TYPE SIZE PATTERN: librbd direct, 16 threads, for about as long as a gateway row.
# Prints "iops|MB/s" from rbd bench's last line (elapsed, ops, ops/sec, bytes/sec).
direct() {
  local total
  total=$(( $2 == 4096 ? 64 * 1024 * 1024 : image_mib * 1024 * 1024 ))
  rbd_ bench --io-type "$1" --io-size "$2" --io-threads 16 --io-pattern "$3" --io-total "$total" rbd/direct 2>&1 |
    grep -o "ops/sec: [0-9.]*  *bytes/sec: [0-9.]* [KMG]*i*B/s" | tail -1 |
    awk '{ v = $4; u = $5; m = (u ~ /^G/ ? 1024 : u ~ /^M/ ? 1 : u ~ /^K/ ? 1 / 1024 : 1 / 1048576); printf "%.0f|%.1f\n", $2, v * m * 1.048576 }'
}

direct_args=("read 4096 rand" "write 4096 rand" "read 131072 seq" "write 131072 seq")
storlane_rows=() baseline_rows=() tgt_rows=() direct_rows=()
for i in "${!rows[@]}"; do
  echo "== ${rows[$i]%%|*}: Storlane${baseline:+, Storlane baseline ($baseline)}, tgt-rbd, librbd direct"
  # With a baseline the two builds take turns going first, so neither always runs on the heels of the other.
  if [[ -n $baseline && $((i % 2)) -eq 1 ]]; then
    baseline_rows+=("$(gateway baseline iscsi://127.0.0.1:3312/iqn.2026-11.io.storlane:bench/0 "$i")")
  fi
  storlane_rows+=("$(gateway storlane iscsi://127.0.0.1:3310/iqn.2026-11.io.storlane:bench/0 "$i")")
  if [[ -n $baseline && $((i % 2)) -eq 0 ]]; then
    baseline_rows+=("$(gateway baseline iscsi://127.0.0.1:3312/iqn.2026-11.io.storlane:bench/0 "$i")")
  fi
  tgt_rows+=("$(gateway tgt iscsi://127.0.0.1:3311/iqn.2026-11.io.storlane:tgt-rbd/1 "$i")")
  # shellcheck disable=SC2086 # the three words are direct's arguments
  direct_rows+=("$(direct ${direct_args[$i]})")
done

# The A/B columns only when a baseline ran.
ab_head() { [[ -z $baseline ]] || printf " %12s | %9s |" "$1" "$2"; }
printf "\n| %-26s | %12s | %9s | %12s | %9s |" row "librbd IOPS" "MB/s" "Storlane IOPS" "MB/s"
ab_head "base IOPS" "vs base"
printf " %12s | %9s | %9s | %9s |\n" "tgt-rbd IOPS" "MB/s" "vs tgt" "vs librbd"
printf "| %-26s | %12s | %9s | %12s | %9s |" --- ---: ---: ---: ---:
ab_head ---: ---:
printf " %12s | %9s | %9s | %9s |\n" ---: ---: ---: ---:
for i in 0 1 2 3; do
  IFS='|' read -r name s_iops s_mbs <<<"${storlane_rows[$i]}"
  IFS='|' read -r _ t_iops t_mbs <<<"${tgt_rows[$i]}"
  IFS='|' read -r d_iops d_mbs <<<"${direct_rows[$i]}"
  vs_tgt=$(awk -v s="$s_iops" -v t="$t_iops" 'BEGIN { printf "%.2fx", (t > 0 ? s / t : 0) }')
  vs_direct=$(awk -v s="$s_iops" -v d="$d_iops" 'BEGIN { printf "%.0f%%", (d > 0 ? 100 * s / d : 0) }')
  printf "| %-26s | %12s | %9s | %12s | %9s |" "$name" "$d_iops" "$d_mbs" "$s_iops" "$s_mbs"
  if [[ -n $baseline ]]; then
    IFS='|' read -r _ b_iops _ <<<"${baseline_rows[$i]}"
    ab_head "$b_iops" "$(awk -v s="$s_iops" -v b="$b_iops" 'BEGIN { printf "%.2fx", (b > 0 ? s / b : 0) }')"
  fi
  printf " %12s | %9s | %9s | %9s |\n" "$t_iops" "$t_mbs" "$vs_tgt" "$vs_direct"
done
