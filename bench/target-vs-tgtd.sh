#!/usr/bin/env bash
# Storlane's target against tgtd (Debian `tgt`) on the same machine, in the same run, with the same
# backing (a sparse file in /dev/shm) and the same client (libiscsi's iscsi-perf). Prints IOPS and
# MB/s for each and the ratio Storlane / tgtd. Needs root (tgtd), libiscsi-bin and tgt.
#
#   bench/target-vs-tgtd.sh [seconds-per-run] [queue-depth]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
depth=${2:-32}
work=$(mktemp -d /dev/shm/storlane-bench.XXXXXX)
storlane_pid=""
tgtd_pid=""
source bench/lib/stop.sh
cleanup() {
  stop_child "$storlane_pid"
  stop_tgtd "$tgtd_pid" 7301 1
  rm -rf "$work"
}
trap cleanup EXIT

for tool in iscsi-perf tgtd tgtadm; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install libiscsi-bin tgt)" >&2; exit 2; }
done

dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null
truncate -s 1G "$work/storlane.img" "$work/tgt.img"
cat >"$work/storlane.yaml" <<YAML
portals:
  - address: 127.0.0.1
    port: 3300
targets:
  - name: iqn.2026-11.io.storlane:bench
    luns:
      - lun: 0
        backend: file
        path: $work/storlane.img
        size: 1GiB
        logical-block-size: 4096
        physical-block-size: 4096
nop-in-interval: 0
YAML
dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll serve --config "$work/storlane.yaml" --data-dir "$work" >"$work/storlane.log" 2>&1 &
storlane_pid=$!

tgtd -f -C 7301 --iscsi portal=127.0.0.1:3301 >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
sleep 2
tgtadm -C 7301 --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.io.storlane:tgtd
tgtadm -C 7301 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/tgt.img" --blocksize 4096
tgtadm -C 7301 --lld iscsi --op bind --mode target --tid 1 -I ALL
until grep -q "ready:" "$work/storlane.log"; do sleep 0.2; done

# One run: prints "IOPS MB/s" from iscsi-perf's last average.
perf() {
  local url=$1 blocks=$2 random=$3
  timeout -s INT "$seconds" iscsi-perf -m "$depth" -b "$blocks" $random "$url" 2>&1 |
    tr '\r' '\n' | grep -o "iops average [0-9]* ([0-9]* MB/s)" | tail -1 | tr -d '()' | awk '{print $3, $4}'
}

printf "%-28s %12s %10s %12s %10s %8s\n" workload storlane-IOPS MB/s tgtd-IOPS MB/s ratio
for spec in "4K-random:1:-r" "32K-sequential:8:" "128K-sequential:32:"; do
  IFS=: read -r name blocks random <<<"$spec"
  read -r s_iops s_mbs < <(perf iscsi://127.0.0.1:3300/iqn.2026-11.io.storlane:bench/0 "$blocks" "$random")
  read -r t_iops t_mbs < <(perf iscsi://127.0.0.1:3301/iqn.2026-11.io.storlane:tgtd/1 "$blocks" "$random")
  ratio=$(awk -v s="$s_iops" -v t="$t_iops" 'BEGIN { printf "%.2f", (t > 0 ? s / t : 0) }')
  printf "%-28s %12s %10s %12s %10s %8s\n" "$name QD$depth read" "$s_iops" "$s_mbs" "$t_iops" "$t_mbs" "$ratio"
done
