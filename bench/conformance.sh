#!/usr/bin/env bash
# Runs libiscsi's conformance suite (iscsi-test-cu, family ALL, destructive and SANITIZE tests
# allowed) against Storlane's target on scratch 64 MiB LUNs (single path and the multipath pair over
# two portals), and against tgtd (Debian `tgt`) side by side when it is installed and we are root.
# The scratch LUNs are removable (so the PreventAllow and StartStopUnit suites run) and hold a
# SANITIZE OVERWRITE to 8 MiB/s (`sanitize-rate`), so it lasts as long as a disk's and Sanitize.Reset
# can see it survive resets; "4kn-fixed" is a LUN with every option at its default, for comparison.
# Prints the table of docs/conformance.md: a test that printed [SKIPPED] counts as skipped, not
# passed. Full outputs stay in the work folder it prints.
#
#   bench/conformance.sh            # every row (about 40 minutes on 2 cores)
#   bench/conformance.sh 4kn        # only the 4Kn rows (4kn-encrypted, 4kn-fixed, 512n, 512e likewise)
#   PORT=3320 TGTD=0 bench/conformance.sh 512e   # another port and no tgtd, to run rows side by side
set -euo pipefail
cd "$(dirname "$0")/.."

only=${1:-all}
port=${PORT:-3310}
work=$(mktemp -d /tmp/storlane-conformance.XXXXXX)
storlane_pid=""
tgtd_pid=""
source bench/lib/stop.sh
cleanup() {
  stop_child "$storlane_pid"
  stop_tgtd "$tgtd_pid" 7302 1
}
trap cleanup EXIT

command -v iscsi-test-cu >/dev/null || { echo "missing iscsi-test-cu (apt-get install libiscsi-bin)" >&2; exit 2; }

# "passed skipped failed" of one iscsi-test-cu output: each test ends with a passed/FAILED marker
# (after "Test: NAME ..." or on a line of its own); a passed test that printed [SKIPPED] did not
# check its rule, so it counts as skipped.
count() {
  awk '
    function finish() { if (name == "") return; if (status == "f") f++; else if (skipped) s++; else p++; name = "" }
    /^  Test: / { finish(); name = $2; skipped = ($0 ~ /\[SKIPPED\]/); status = ""; if ($0 ~ /\.\.\.FAILED$/) status = "f"; next }
    /\[SKIPPED\]/ { skipped = 1 }
    /^FAILED/ || /\.\.\.FAILED$/ { status = "f" }
    /^Run Summary/ { finish() }
    END { finish(); printf "%d %d %d\n", p, s, f }' "$1"
}

failures() {
  awk '/^Suite: / { suite = $2 } /^  Test: / { name = suite "." $2 } /^FAILED/ || /\.\.\.FAILED$/ { print name }' "$1" | sort -u | paste -sd, -
}

run_suite() { # label file url [url2]
  local label=$1 file=$2
  shift 2
  timeout 1800 iscsi-test-cu -d -S -t ALL "$@" >"$file" 2>&1 || true
  read -r p s f < <(count "$file")
  printf "| %s | %d | %d | %d | %s |\n" "$label" "$p" "$s" "$f" "$(failures "$file")"
}

dotnet build src/Storlane.Cli -c Release --nologo -v quiet >/dev/null
cat >"$work/storlane.yaml" <<YAML
portals:
  - { address: 127.0.0.1, port: ${port}, group: 1 }
  - { address: 127.0.0.2, port: ${port}, group: 2 }
targets:
  - name: iqn.2026-11.io.storlane:conformance
    luns:
      - { lun: 0, backend: memory, size: 64MiB, logical-block-size: 4096, removable: true, sanitize-rate: 8MiB/s }
      - { lun: 1, backend: memory, size: 64MiB, logical-block-size: 512, removable: true, sanitize-rate: 8MiB/s }
      - { lun: 2, backend: file, path: lun512e.img, size: 64MiB, logical-block-size: 512, physical-block-size: 4096, removable: true, sanitize-rate: 8MiB/s }
      - { lun: 3, backend: memory, size: 64MiB, logical-block-size: 4096, encrypted: true, removable: true, sanitize-rate: 8MiB/s }
      - { lun: 4, backend: memory, size: 64MiB, logical-block-size: 4096 }
nop-in-interval: 0
YAML
dotnet src/Storlane.Cli/bin/Release/net10.0/storlane.dll serve --config "$work/storlane.yaml" --data-dir "$work" >"$work/storlane.log" 2>&1 &
storlane_pid=$!
until grep -q "ready:" "$work/storlane.log"; do
  kill -0 "$storlane_pid" 2>/dev/null || { cat "$work/storlane.log" >&2; exit 1; }
  sleep 0.2
done

iqn=iqn.2026-11.io.storlane:conformance
echo "outputs: $work"
echo
echo "| target, LUN, path | passed | skipped | failed | failing tests |"
echo "| --- | ---: | ---: | ---: | --- |"
for row in "4kn-encrypted:3" "4kn:0" "4kn-fixed:4" "512n:1" "512e:2"; do
  IFS=: read -r name lun <<<"$row"
  [[ $only == all || $only == "$name" || ($only == 4kn && $name == 4kn-*) ]] || continue
  run_suite "Storlane $name single" "$work/storlane-$name-single.txt" "iscsi://127.0.0.1:${port}/$iqn/$lun"
  run_suite "Storlane $name multipath" "$work/storlane-$name-multipath.txt" "iscsi://127.0.0.1:${port}/$iqn/$lun" "iscsi://127.0.0.2:${port}/$iqn/$lun"
done

if [[ ${TGTD:-1} == 1 ]] && command -v tgtd >/dev/null && ((EUID == 0)); then
  truncate -s 64M "$work/tgt4k.img" "$work/tgt512.img"
  tgtd -f -C 7302 --iscsi portal=127.0.0.1:3311 >"$work/tgtd.log" 2>&1 &
  tgtd_pid=$!
  sleep 2
  tgtadm -C 7302 --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.io.storlane:tgtd
  tgtadm -C 7302 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/tgt4k.img" --blocksize 4096
  tgtadm -C 7302 --lld iscsi --op new --mode logicalunit --tid 1 --lun 2 -b "$work/tgt512.img" --blocksize 512
  tgtadm -C 7302 --lld iscsi --op bind --mode target --tid 1 -I ALL
  for row in "4kn:1" "512n:2"; do
    IFS=: read -r name lun <<<"$row"
    [[ $only == all || $only == "$name" ]] || continue
    run_suite "tgtd $(tgtd --version 2>/dev/null | head -1 || echo) $name single" "$work/tgtd-$name-single.txt" "iscsi://127.0.0.1:3311/iqn.2026-11.io.storlane:tgtd/$lun"
  done
else
  echo
  echo "(tgtd skipped: TGTD=0, not installed or not root; apt-get install tgt and run as root for side-by-side rows)"
fi
