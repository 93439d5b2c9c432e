#!/usr/bin/env bash
# Builds Storlane (warnings are errors), checks formatting, and runs every test, including the
# interop tests that drive real iSCSI clients (libiscsi's tools, qemu-img, tshark) against
# `storlane serve`. Installs those clients first when it can (root or passwordless sudo);
# otherwise the interop tests that need them are reported as skipped.
# Ends with one line: "N passed, N failed, N skipped". Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release
results_dir=artifacts/test-results

# Debian packages the interop tests drive: iscsi-ls/iscsi-inq/iscsi-readcapacity16,
# qemu-img, qemu's iscsi:// block driver, tshark (proves which digests were negotiated), and the
# peer targets tgtd and istgt for the initiator, and chromium for the bench report's render check.
install_interop_peers() {
  local missing=()
  command -v iscsi-ls >/dev/null 2>&1 || missing+=(libiscsi-bin)
  command -v qemu-img >/dev/null 2>&1 || missing+=(qemu-utils)
  # Debian builds qemu's iscsi driver as a module in qemu-block-extra; qemu-img lists it when present.
  # (Captured first: grep -q closing the pipe early would fail the pipeline under pipefail.)
  local qemu_help
  qemu_help=$(qemu-img --help 2>/dev/null || true)
  [[ $qemu_help == *" iscsi"* ]] || missing+=(qemu-block-extra)
  command -v tshark >/dev/null 2>&1 || missing+=(tshark)
  # Peer targets for the initiator's interop tests.
  command -v tgtd >/dev/null 2>&1 || missing+=(tgt)
  command -v istgt >/dev/null 2>&1 || missing+=(istgt)
  # The kernel tests: a Linux guest under qemu TCG running the host's open-iscsi, dm-multipath,
  # fio and file-system tools against the target (tests/Storlane.Interop.Tests/Kernel).
  command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
  compgen -G "/boot/vmlinuz-*" >/dev/null || missing+=(linux-image-amd64)
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  command -v modprobe >/dev/null 2>&1 || missing+=(kmod)
  command -v udevadm >/dev/null 2>&1 || missing+=(udev)
  command -v iscsiadm >/dev/null 2>&1 || missing+=(open-iscsi)
  command -v multipathd >/dev/null 2>&1 || missing+=(multipath-tools)
  command -v sg_persist >/dev/null 2>&1 || missing+=(sg3-utils)
  command -v fio >/dev/null 2>&1 || missing+=(fio)
  command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
  command -v mkfs.xfs >/dev/null 2>&1 || missing+=(xfsprogs)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  # Headless browser that renders the bench HTML report and the management dashboard.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # Scale-out: a single-node Ceph the tests start themselves, librbd/librados for the rbd backend,
  # and tgtd's RBD backing store as the peer gateway (tests/Storlane.Interop.Tests/Ceph).
  command -v ceph-mon >/dev/null 2>&1 || missing+=(ceph-mon)
  command -v ceph-osd >/dev/null 2>&1 || missing+=(ceph-osd)
  command -v ceph-mgr >/dev/null 2>&1 || missing+=(ceph-mgr)
  command -v rbd >/dev/null 2>&1 || missing+=(ceph-common)
  [[ -e /usr/lib/tgt/backing-store/bs_rbd.so ]] || missing+=(tgt-rbd)
  # NVMe/TCP: the kernel host's nvme-cli inside the guest.
  command -v nvme >/dev/null 2>&1 || missing+=(nvme-cli)
  # Metrics: a real Prometheus server scrapes the management API.
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  if ((${#missing[@]} == 0)); then
    echo "interop peers: all installed"
    return
  fi

  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "interop peers missing (${missing[*]}) and not root: the interop tests that need them will be skipped"
      return
    fi
  fi

  echo "installing interop peers: ${missing[*]}"
  if ! { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "could not install ${missing[*]}: the interop tests that need them will be skipped"
  fi
}

# Sums one counter attribute over every TRX file (one per test project).
sum_counter() {
  local name=$1 total=0 value
  for value in $(grep -ho "<Counters [^>]*" "$results_dir"/*.trx | grep -o " $name=\"[0-9]*\"" | grep -o '[0-9]*'); do
    total=$((total + value))
  done
  echo "$total"
}

install_interop_peers

echo "== build ($configuration, warnings are errors)"
dotnet build Storlane.slnx -c "$configuration" --nologo

echo "== format check"
dotnet format Storlane.slnx --verify-no-changes --no-restore

echo "== tests"
rm -rf "$results_dir"
test_status=0
# One test assembly at a time (-m:1): the lab's namespace benchmarks and the conformance and
# failover tests each need the machine to themselves to measure link rates and race-free orderings;
# run side by side on 2 cores they disturb each other. Costs a few minutes, well inside the budget.
dotnet test Storlane.slnx -c "$configuration" --no-build --nologo -m:1 \
  --logger "console;verbosity=normal" \
  --logger "trx;LogFilePrefix=storlane" \
  --results-directory "$results_dir" || test_status=$?

passed=0 failed=0 skipped=0
if compgen -G "$results_dir/*.trx" >/dev/null; then
  total=$(sum_counter total)
  executed=$(sum_counter executed)
  passed=$(sum_counter passed)
  failed=$(($(sum_counter failed) + $(sum_counter error) + $(sum_counter timeout) + $(sum_counter aborted)))
  skipped=$((total - executed))
fi

# CI keeps only the log's tail: name what failed right above the summary line.
list_failures() {
  local trx
  for trx in "$results_dir"/*.trx; do
    perl -0777 -ne '
      while (/<UnitTestResult [^>]*testName="([^"]*)"[^>]*outcome="(?:Failed|Error|Timeout|Aborted)".*?<Message>(.*?)<\/Message>/sg) {
        my ($name, $message) = ($1, $2);
        $message =~ s/&#x[0-9A-F]+;|\s+/ /g;
        print "FAILED $name: ", substr($message, 0, 400), "\n";
      }
      while (/<RunInfo [^>]*outcome="Error"[^>]*>\s*<Text>(.*?)<\/Text>/sg) {
        my $text = $1 =~ s/\s+/ /gr;
        print "RUN ABORTED: ", substr($text, 0, 600), "\n" if $text =~ /aborted|crashed/;
      }
    ' "$trx"
  done
}

if compgen -G "$results_dir/*.trx" >/dev/null; then
  list_failures
fi
echo "$passed passed, $failed failed, $skipped skipped"
if ((test_status != 0 || failed != 0)); then
  exit 1
fi
if ((passed == 0)); then
  echo "no test ran" >&2
  exit 1
fi
