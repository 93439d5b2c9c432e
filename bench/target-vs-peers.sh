#!/usr/bin/env bash
# Storlane's target against istgt and tgtd on this machine, interleaved in one run: every round runs
# each workload on Storlane, istgt and tgtd back to back, and each cell is the median of the rounds.
# Same backing for all (a 512 MiB file of random data on the local file system, so the page cache
# serves it as it would a warm LUN), same 512-byte blocks, same clients: libiscsi's iscsi-perf and
# qemu-img bench. Target CPU per I/O is the utime+stime delta of the target's process
# (/proc/PID/stat) over the I/Os the client completed. Then multi-session scaling: 1, 2, 4, 8
# iscsi-perf processes (one session each, distinct initiator names) at QD16, 4K random read.
# Needs root (tgtd), libiscsi-bin, qemu-utils + qemu-block-extra, tgt and istgt.
#
#   bench/target-vs-peers.sh [seconds-per-run] [rounds]      (defaults: 4 s, 3 rounds)
#
# A short form: PEERS_WORKLOADS="4K-rand-read-QD1 128K-seq-read-QD4" runs only those rows (names as
# in the table), PEERS_TARGETS="storlane istgt" only those targets, PEERS_SCALING=0 skips scaling.
# PEERS_BASELINE=path/to/storlane.dll also serves another Storlane build (say, main's) as target
# "baseline", interleaved with the rest, so a change is measured against what it changes.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-4}
rounds=${2:-3}
# qemu-img bench runs a fixed count of I/Os; PEERS_QEMU_SCALE=10 runs a tenth of it (a smoke test).
qemu_scale=${PEERS_QEMU_SCALE:-1}
work=$(mktemp -d /var/tmp/storlane-peers.XXXXXX)
storlane_pid=""
baseline_pid=""
tgtd_pid=""
istgt_pid=""
source bench/lib/stop.sh
cleanup() {
  stop_child "$storlane_pid"
  stop_child "$baseline_pid"
  stop_child "$istgt_pid"
  stop_tgtd "$tgtd_pid" 7311 1
  rm -rf "$work"
}
trap cleanup EXIT

for tool in iscsi-perf qemu-img tgtd tgtadm istgt; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install libiscsi-bin qemu-utils qemu-block-extra tgt istgt)" >&2; exit 2; }
done

[[ -z ${PEERS_BASELINE:-} || -f $PEERS_BASELINE ]] || { echo "PEERS_BASELINE: no such file $PEERS_BASELINE" >&2; exit 2; }
dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null
head -c 512M /dev/urandom >"$work/storlane.img"
cp "$work/storlane.img" "$work/tgt.img"
cp "$work/storlane.img" "$work/istgt.img"

cat >"$work/storlane.yaml" <<YAML
portals:
  - address: 127.0.0.1
    port: 3310
targets:
  - name: iqn.2026-11.io.storlane:bench
    luns:
      - lun: 0
        backend: file
        path: $work/storlane.img
        size: 512MiB
        logical-block-size: 512
        physical-block-size: 512
nop-in-interval: 0
YAML
dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll serve --config "$work/storlane.yaml" --data-dir "$work" >"$work/storlane.log" 2>&1 &
storlane_pid=$!
if [[ -n ${PEERS_BASELINE:-} ]]; then
  mkdir "$work/baseline"
  cp "$work/storlane.img" "$work/baseline/storlane.img"
  sed -e "s/port: 3310/port: 3313/" -e "s|$work/storlane.img|$work/baseline/storlane.img|" "$work/storlane.yaml" >"$work/baseline/storlane.yaml"
  dotnet "$PEERS_BASELINE" serve --config "$work/baseline/storlane.yaml" --data-dir "$work/baseline" >"$work/baseline.log" 2>&1 &
  baseline_pid=$!
fi

tgtd -f -C 7311 --iscsi portal=127.0.0.1:3311 >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!

cat >"$work/istgt.conf" <<CONF
[Global]
  NodeBase "iqn.2026-11.io.storlane.istgt"
  PidFile $work/istgt.pid
  AuthFile $work/auth.conf
  MediaDirectory $work
  LogFacility "local7"
  Timeout 30
  NopInInterval 20
  DiscoveryAuthMethod Auto
  MaxSessions 16
  MaxConnections 4
  MaxR2T 32
  MaxOutstandingR2T 16
  DefaultTime2Wait 2
  DefaultTime2Retain 60
  FirstBurstLength 262144
  MaxBurstLength 1048576
  MaxRecvDataSegmentLength 262144
  InitialR2T Yes
  ImmediateData Yes
  DataPDUInOrder Yes
  DataSequenceInOrder Yes
  ErrorRecoveryLevel 0
[UnitControl]
  AuthMethod None
[PortalGroup1]
  Portal DA1 127.0.0.1:3312
[InitiatorGroup1]
  InitiatorName "ALL"
  Netmask 127.0.0.0/8
[LogicalUnit1]
  TargetName disk1
  Mapping PortalGroup1 InitiatorGroup1
  AuthMethod None
  UseDigest Auto
  UnitType Disk
  QueueDepth 64
  LUN0 Storage $work/istgt.img 512MB
CONF
printf '[AuthGroup1]\n  Comment "none"\n' >"$work/auth.conf"
istgt -D -q -c "$work/istgt.conf" >"$work/istgt.log" 2>&1 &
istgt_pid=$!

sleep 2
tgtadm -C 7311 --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.io.storlane:tgtd
tgtadm -C 7311 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/tgt.img"
tgtadm -C 7311 --lld iscsi --op bind --mode target --tid 1 -I ALL
until grep -q "ready:" "$work/storlane.log"; do sleep 0.2; done
[[ -z $baseline_pid ]] || until grep -q "ready:" "$work/baseline.log"; do sleep 0.2; done

declare -A url=(
  [storlane]=iscsi://127.0.0.1:3310/iqn.2026-11.io.storlane:bench/0
  [istgt]=iscsi://127.0.0.1:3312/iqn.2026-11.io.storlane.istgt:disk1/0
  [tgtd]=iscsi://127.0.0.1:3311/iqn.2026-11.io.storlane:tgtd/1
)
declare -A pid_of=([storlane]=$storlane_pid [istgt]=$istgt_pid [tgtd]=$tgtd_pid)
read -r -a targets <<<"${PEERS_TARGETS:-storlane istgt tgtd}"
if [[ -n $baseline_pid ]]; then
  url[baseline]=iscsi://127.0.0.1:3313/iqn.2026-11.io.storlane:bench/0
  pid_of[baseline]=$baseline_pid
  # Last unless PEERS_TARGETS places it ("baseline storlane istgt"), to see what running order costs.
  [[ " ${targets[*]} " == *" baseline "* ]] || targets+=(baseline)
fi
for target in "${targets[@]}"; do
  [[ -n ${url[$target]:-} ]] || { echo "unknown target $target (storlane, istgt, tgtd; baseline comes with PEERS_BASELINE)" >&2; exit 2; }
done
ticks_per_second=$(getconf CLK_TCK)

# CPU time (utime + stime, clock ticks) a process has used, all its threads included.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# iscsi-perf for $seconds: prints the I/Os per second of its last average.
perf_iops() {
  local url=$1 blocks=$2 depth=$3 random=$4 initiator=$5
  timeout -s INT "$seconds" iscsi-perf -i "$initiator" -m "$depth" -b "$blocks" $random "$url" 2>&1 |
    tr '\r' '\n' | grep -o "iops average [0-9]*" | tail -1 | awk '{ print $3 + 0 }' || true
}

# qemu-img bench: prints I/Os per second over a fixed count (depth 16 unless a 5th argument says).
qemu_iops() {
  local url=$1 size=$2 count=$3 write=$4 depth=${5:-16}
  qemu-img bench -f raw -d "$depth" -s "$size" -c "$count" $write "$url" 2>&1 |
    awk -v c="$count" '/Run completed in/ { printf "%.0f\n", c / $4 }' || true
}

# One measurement: "IOPS CPU-us-per-IO" for workload $1 on target $2.
measure() {
  local workload=$1 target=$2 pid=${pid_of[$2]} before after iops ios
  before=$(cpu_ticks "$pid")
  case $workload in
    4K-rand-read-QD16) iops=$(perf_iops "${url[$target]}" 8 16 -r iqn.2026-11.io.bench:c0) ;;
    4K-rand-read-QD1) iops=$(perf_iops "${url[$target]}" 8 1 -r iqn.2026-11.io.bench:c0) ;;
    128K-seq-read-QD4) iops=$(perf_iops "${url[$target]}" 256 4 "" iqn.2026-11.io.bench:c0) ;;
    4M-seq-read-QD1) iops=$(perf_iops "${url[$target]}" 8192 1 "" iqn.2026-11.io.bench:c0) ;;
    qemu-4K-write-QD16) ios=$(( 20000 / qemu_scale )); iops=$(qemu_iops "${url[$target]}" 4k "$ios" -w) ;;
    qemu-4K-write-QD1) ios=$(( 8000 / qemu_scale )); iops=$(qemu_iops "${url[$target]}" 4k "$ios" -w 1) ;;
    qemu-128K-write-QD16) ios=$(( 4000 / qemu_scale )); iops=$(qemu_iops "${url[$target]}" 128k "$ios" -w) ;;
    qemu-4M-write-QD16) ios=$(( 200 / qemu_scale )); iops=$(qemu_iops "${url[$target]}" 4M "$ios" -w) ;;
    qemu-4M-read-QD16) ios=$(( 300 / qemu_scale )); iops=$(qemu_iops "${url[$target]}" 4M "$ios" "") ;;
  esac
  after=$(cpu_ticks "$pid")
  [[ $workload == qemu-* ]] || ios=$(( ${iops:-0} * seconds ))
  awk -v i="${iops:-0}" -v d=$(( after - before )) -v n="$ios" -v hz="$ticks_per_second" \
    'BEGIN { printf "%d %.1f\n", i, (n > 0 ? d * 1e6 / hz / n : 0) }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }

# PEERS_SCALING_ONLY=1 skips the workload table and runs only the multi-session scaling.
workloads=(4K-rand-read-QD16 4K-rand-read-QD1 128K-seq-read-QD4 4M-seq-read-QD1 qemu-4K-write-QD16 qemu-4K-write-QD1 qemu-128K-write-QD16 qemu-4M-write-QD16 qemu-4M-read-QD16)
declare -A iops_runs cpu_runs
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n ${PEERS_WORKLOADS:-} ]]; then
  for chosen in $PEERS_WORKLOADS; do
    [[ " ${workloads[*]} " == *" $chosen "* ]] || { echo "unknown workload $chosen (${workloads[*]})" >&2; exit 2; }
  done
  read -r -a workloads <<<"$PEERS_WORKLOADS"
fi
[[ ${PEERS_SCALING_ONLY:-0} == 1 ]] && workloads=()
for round in $(seq "$rounds"); do
  for workload in "${workloads[@]}"; do
    for target in "${targets[@]}"; do
      read -r iops cpu < <(measure "$workload" "$target")
      iops_runs[$workload,$target]+="$iops "
      cpu_runs[$workload,$target]+="$cpu "
    done
  done
done

block_bytes() { case $1 in 4K*|qemu-4K*) echo 4096 ;; 128K*|qemu-128K*) echo 131072 ;; *) echo 4194304 ;; esac; }
printf "| %-20s | %9s | %9s | %9s | %8s | %6s | %6s | %6s |\n" workload "Storlane" istgt tgtd "MB/s S" "S/istgt" "S/tgtd" "cpu S"
printf "| %-20s | %9s | %9s | %9s | %8s | %6s | %6s | %6s |\n" "" "IOPS" "IOPS" "IOPS" "" "" "" "/istgt"
for workload in "${workloads[@]}"; do
  declare -A med=() cmed=()
  for target in "${targets[@]}"; do
    med[$target]=$(tr ' ' '\n' <<<"${iops_runs[$workload,$target]}" | grep . | median)
    cmed[$target]=$(tr ' ' '\n' <<<"${cpu_runs[$workload,$target]}" | grep . | median)
  done
  awk -v w="$workload" -v s="${med[storlane]:-0}" -v i="${med[istgt]:-0}" -v t="${med[tgtd]:-0}" -v b="$(block_bytes "$workload")" \
    -v cs="${cmed[storlane]:-0}" -v ci="${cmed[istgt]:-0}" -v ct="${cmed[tgtd]:-0}" \
    'BEGIN { printf "| %-20s | %9d | %9d | %9d | %8.0f | %5.2fx | %5.2fx | %5.2fx |   cpu us/IO S %s, istgt %s, tgtd %s\n", w, s, i, t, s * b / 1e6, (i ? s / i : 0), (t ? s / t : 0), (ci ? cs / ci : 0), cs, ci, ct }'
  if [[ -n $baseline_pid ]]; then
    awk -v s="${med[baseline]:-0}" -v i="${med[istgt]:-0}" -v t="${med[tgtd]:-0}" -v b="$(block_bytes "$workload")" -v cs="${cmed[baseline]:-0}" -v ci="${cmed[istgt]:-0}" \
      'BEGIN { printf "| %-20s | %9d | %9s | %9s | %8.0f | %5.2fx | %5.2fx | %5.2fx |   cpu us/IO baseline %s\n", "  baseline", s, "", "", s * b / 1e6, (i ? s / i : 0), (t ? s / t : 0), (ci ? cs / ci : 0), cs }'
  fi
done

if [[ ${PEERS_SCALING:-1} == 0 ]]; then
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
echo
echo "Multi-session scaling: N iscsi-perf processes (one session each), 4K random read, QD16 each; median of $rounds"
printf "| %-8s | %-8s | %10s | %12s |\n" sessions target "total IOPS" "cpu us/IO"
for sessions in 1 2 4 8; do
  declare -A s_iops=() s_cpu=()
  for round in $(seq "$rounds"); do
    for target in "${targets[@]}"; do
      pid=${pid_of[$target]}
      before=$(cpu_ticks "$pid")
      total=0
      clients=()
      for n in $(seq "$sessions"); do
        perf_iops "${url[$target]}" 8 16 -r "iqn.2026-11.io.bench:s$n" >"$work/s$n.out" &
        clients+=($!)
      done
      wait "${clients[@]}" || true
      after=$(cpu_ticks "$pid")
      for n in $(seq "$sessions"); do
        read -r got <"$work/s$n.out" || got=0 # a client that printed no average counts 0
        total=$(( total + ${got:-0} ))
      done
      s_iops[$target]+="$total "
      s_cpu[$target]+="$(awk -v d=$(( after - before )) -v n=$(( total * seconds )) -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", (n ? d * 1e6 / hz / n : 0) }') "
    done
  done
  for target in "${targets[@]}"; do
    printf "| %-8s | %-8s | %10s | %12s |\n" "$sessions" "$target" \
      "$(tr ' ' '\n' <<<"${s_iops[$target]}" | grep . | median)" "$(tr ' ' '\n' <<<"${s_cpu[$target]}" | grep . | median)"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
