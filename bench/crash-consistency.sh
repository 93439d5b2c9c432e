#!/usr/bin/env bash
# The long crash-consistency run behind docs/reliability.md "Crash consistency": the same test CI
# runs (tests/Storlane.Interop.Tests/CrashConsistencyTests.cs) with more kills. A real
# `storlane serve` is killed with SIGKILL at a random moment while four verified writers do FUA
# writes and SYNCHRONIZE CACHE, restarted on the same file, and every acknowledged-and-flushed
# write is checked. Progress (one line per kill) goes to the progress file it prints.
#
#   bench/crash-consistency.sh [file|vhdx|all] [kills] [seconds] [seed]   defaults: all 1000 3600 7143
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-all}
kills=${2:-1000}
seconds=${3:-3600}
seed=${4:-7143}
case "$backend" in
  file) filter="FullyQualifiedName~CrashConsistencyTests.FileLun" ;;
  vhdx) filter="FullyQualifiedName~CrashConsistencyTests.VhdxLun" ;;
  all) filter="FullyQualifiedName~CrashConsistencyTests" ;;
  *) echo "backend must be file, vhdx or all, got '$backend'" >&2; exit 2 ;;
esac
for number in "$kills" "$seconds" "$seed"; do
  [[ "$number" =~ ^[1-9][0-9]*$ ]] || { echo "kills, seconds and seed must be positive whole numbers, got '$number'" >&2; exit 2; }
done

progress=$(mktemp "${TMPDIR:-/tmp}/storlane-crash-progress.XXXXXX")
echo "progress: $progress"
dotnet build tests/Storlane.Interop.Tests -c Release --nologo -v quiet
start=$(date +%s)
status=0
STORLANE_CRASH_KILLS=$kills STORLANE_CRASH_SECONDS=$seconds STORLANE_CRASH_SEED=$seed STORLANE_CRASH_PROGRESS=$progress \
  dotnet test tests/Storlane.Interop.Tests -c Release --no-build --filter "$filter" --logger "console;verbosity=normal" || status=$?
echo "took $(( $(date +%s) - start )) s; summary:"
grep -v ' kill [0-9]* at ' "$progress" || true
exit $status
