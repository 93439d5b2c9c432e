#!/usr/bin/env bash
# The same LU over iSCSI and over NVMe/TCP, one `storlane serve`, one run: each round runs every row
# over both transports back to back (the order alternates per round), and each cell is the median of
# the rounds. The client is Storlane's own initiator in both cases (`storlane bench`, one path), so a
# row compares the transports, not two clients. Target CPU per I/O is the utime+stime delta of the
# serve process (/proc/PID/stat) over the I/Os the client completed; the headline figure is IOPS per
# target CPU-second, NVMe/TCP over iSCSI.
# Needs: nothing beyond the repository (loopback only, no root).
#
#   bench/nvme-vs-iscsi.sh [seconds-per-run] [rounds] [out.md]     (defaults: 4 s, 3 rounds, stdout)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-4}
rounds=${2:-3}
out=${3:-/dev/stdout}
work=$(mktemp -d /var/tmp/storlane-nvme-vs-iscsi.XXXXXX)
serve_pid=""
source bench/lib/stop.sh
cleanup() {
  stop_child "$serve_pid"
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null
storlane=(dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll)
head -c 512M /dev/urandom >"$work/lun.img"
iqn=iqn.2026-11.io.storlane:transports
nqn=nqn.2014-08.org.storlane:transports
cat >"$work/serve.yaml" <<YAML
portals:
  - address: 127.0.0.1
    port: 3320
targets:
  - name: $iqn
    nqn: $nqn
    luns:
      - lun: 0
        backend: file
        path: $work/lun.img
        size: 512MiB
        logical-block-size: 512
        physical-block-size: 512
nop-in-interval: 0
nvme:
  enabled: true
  port: 4430
  discovery-port: 0
YAML
"${storlane[@]}" serve --config "$work/serve.yaml" --data-dir "$work" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do
  grep -q "4430" "$work/serve.log" 2>/dev/null && grep -qi "ready\|listening" "$work/serve.log" && break
  sleep 0.2
done
kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }

declare -A url=(
  [iscsi]="iscsi://127.0.0.1:3320/$iqn/0"
  [nvme]="nvme+tcp://127.0.0.1:4430/$nqn/1"
)
# name|size|read%|random%|queue depth
rows=(
  "4K random read QD1|4K|100|100|1"
  "4K random read QD16|4K|100|100|16"
  "4K random write QD16|4K|0|100|16"
  "128K sequential read QD4|128K|100|0|4"
  "128K sequential write QD4|128K|0|0|4"
)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$serve_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# One run: prints "iops mean_latency_ms target_cpu_seconds".
run_one() {
  local transport=$1 row=$2
  IFS='|' read -r name size read random qd <<<"$row"
  cat >"$work/suite.yaml" <<YAML
name: transports
duration: ${seconds}s
warmup: 1s
tests:
  - name: $name
    size: $size
    read: $read
    random: $random
    queue_depth: $qd
YAML
  local before after
  before=$(cpu_ticks)
  "${storlane[@]}" bench -t "${url[$transport]}" -s "$work/suite.yaml" --write --json "$work/run.json" >"$work/bench.log" 2>&1 ||
    { cat "$work/bench.log" >&2; echo "serve log (last lines):" >&2; tail -n 15 "$work/serve.log" >&2; exit 1; }
  after=$(cpu_ticks)
  python3 - "$work/run.json" "$before" "$after" "$ticks_per_second" "$seconds" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
run = d["tests"][0]["results"][0]["runs"][0]
ticks = int(sys.argv[3]) - int(sys.argv[2])
print(f'{run["iops"]:.0f} {run["meanLatencyMs"]:.4f} {ticks / int(sys.argv[4]):.3f} {run["readIos"] + run["writeIos"]}')
PY
}

declare -A results
for round in $(seq 1 "$rounds"); do
  order=(iscsi nvme)
  ((round % 2 == 0)) && order=(nvme iscsi)
  for row in "${rows[@]}"; do
    for transport in "${order[@]}"; do
      results["$row|$transport"]+="$(run_one "$transport" "$row");"
      echo "round $round/$rounds: ${row%%|*} over $transport done" >&2
    done
  done
done

{
  echo "\`bench/nvme-vs-iscsi.sh $seconds $rounds\`: one serve, one 512 MiB file LUN (512-byte blocks), Storlane's initiator as the client over loopback, median of $rounds rounds; CPU is the serve process's (warm-up included, so per-I/O figures are slightly high for both)."
  echo
  echo "| row | iSCSI IOPS | NVMe/TCP IOPS | NVMe/iSCSI | iSCSI mean ms | NVMe mean ms | iSCSI target CPU us/IO | NVMe target CPU us/IO | IOPS per target CPU-s, NVMe/iSCSI |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "${rows[@]}"; do
    python3 - "${row%%|*}" "${results["$row|iscsi"]}" "${results["$row|nvme"]}" <<'PY'
import statistics, sys
def parse(text):
    runs = [list(map(float, r.split())) for r in text.strip(";").split(";")]
    iops = statistics.median(r[0] for r in runs)
    lat = statistics.median(r[1] for r in runs)
    us_per_io = statistics.median(r[2] * 1e6 / r[3] for r in runs if r[3] > 0)
    return iops, lat, us_per_io
i, n = parse(sys.argv[2]), parse(sys.argv[3])
eff = (1 / n[2]) / (1 / i[2]) if i[2] > 0 and n[2] > 0 else float("nan")
print(f"| {sys.argv[1]} | {i[0]:.0f} | {n[0]:.0f} | {n[0] / i[0]:.2f}x | {i[1]:.3f} | {n[1]:.3f} | {i[2]:.1f} | {n[2]:.1f} | {eff:.2f}x |")
PY
  done
} >"$out"
