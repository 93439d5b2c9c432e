#!/usr/bin/env bash
# The pulled-cable comparison of docs/kernel-initiator.md: one Linux guest (qemu TCG, Debian's
# kernel) with two NICs, fio verify on a dm-multipath map, the first NIC's cable pulled 10 s in;
# Linux MPIO against storlane serve (open-iscsi default, tuned and fast timers) and against tgtd,
# and Storlane's own initiator in the same guest. Needs root (network namespaces, taps) and the
# packages ./test.sh installs. Usage: bench/kernel-failover.sh [RUNS] [OUTPUT.md]  (default 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
output=$(realpath -m "${2:-artifacts/kernel-failover.md}")
mkdir -p "$(dirname "$output")"
dotnet build tests/Storlane.Interop.Tests -c Release --nologo -v quiet
STORLANE_KERNEL_FAILOVER_MATRIX=1 STORLANE_KERNEL_FAILOVER_RUNS=$runs STORLANE_KERNEL_FAILOVER_OUT=$output \
  dotnet test tests/Storlane.Interop.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~KernelFailoverComparison" --logger "console;verbosity=normal"
echo "table: $output"
