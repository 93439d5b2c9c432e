# Storlane's own initiator (storlane bench, MultipathDisk, service-time) in the same guest over
# the same two NICs, random writes with verify while the host pulls the first NIC's cable; the
# bench's JSON (failovers, longest I/O, errors) lands in the shared folder as bench.json.
# Variables: TARGET, STORLANE (the command that runs storlane), RUNTIME (s).
. ./lib.sh
cat > /tmp/pull.yaml <<SUITE
name: cable pull
tests:
  - name: random write verify
    access:
      - { size: 4K, weight: 60, read: 0, random: 100 }
      - { size: 64K, weight: 30, read: 0, random: 100 }
      - { size: 1M, weight: 10, read: 0, random: 100 }
    queue_depth: 32
    duration: ${RUNTIME:-30}s
    verify: true
SUITE
step bench
$STORLANE bench --target "multipath:service-time:iscsi://10.231.1.1:3260/$TARGET/0|iscsi://10.231.2.1:3260/$TARGET/0" \
  --suite /tmp/pull.yaml --write --sample-interval 100ms --json /storlane-vm/bench.json > bench.out 2>&1 &
bench=$!
# The host pulls the cable a fixed time after this mark: only once the run has started (the .NET
# runtime starts slowly under TCG).
i=0; until grep -q '^\[1/1\]' bench.out; do i=$((i + 1)); [ $i -gt 1200 ] && break; sleep 0.1; done
mark fio-started
rc=0; wait $bench || rc=$?
tail -25 bench.out
result "bench_exit=$rc"
step done
