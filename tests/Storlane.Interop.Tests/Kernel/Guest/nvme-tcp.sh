# The Linux NVMe/TCP host (nvme_tcp, nvme-cli) against storlane serve: discover, connect without and
# with header+data digests (and SQ flow control disabled, so reads end in C2HData SUCCESS with no
# CapsuleResp), the namespaces' LBA sizes, mkfs.ext4 + fio verify, live LUN changes while
# connected (a namespace added, one grown, the added one removed: checkpoints ns-add, ns-grow,
# ns-remove, where the host reloads the config), disconnect; then native
# NVMe multipath over both portals (portal group 1 ANA optimized, group 2 non-optimized) with the
# first path's cable pulled by the host mid-fio (after "MARK fio-started"): errors, stall, path I/O.
. ./lib.sh
modprobe -a nvme_tcp nvme_fabrics nvme_core || die "modprobe nvme_tcp failed"
A=10.231.1.1
NQN=nqn.2014-08.org.storlane:iqn.2026-12.io.storlane:nvme
HOST=nqn.2014-08.org.nvmexpress:uuid:5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
step discover
nvme discover -t tcp -a $A -s 8009 -q $HOST > discover.txt 2>&1 || { sed 's/^/discover: /' discover.txt; die "nvme discover failed"; }
sed 's/^/discover: /' discover.txt
result "discovered=$(grep -c "subnqn: *$NQN" discover.txt)"

# ns_dev NSID: the block device of that namespace (the multipath head nvmeXnY, not a path nvmeXcZnY).
ns_dev() {
  for d in /sys/block/nvme*n*; do
    case ${d##*/} in nvme*c*n*) continue ;; esac
    [ -e "$d/nsid" ] && [ "$(cat "$d/nsid")" = "$1" ] && { basename "$d"; return 0; }
  done
  return 1
}
wait_ns() {
  i=0
  while ! ns_dev "$1" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 300 ] && die "namespace $1 never appeared"
    sleep 0.1
  done
  ns_dev "$1"
}
wait_gone() {
  i=0
  while ns_dev 1 >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 300 ] && die "namespaces still there after disconnect"
    sleep 0.1
  done
}

# Live LUN changes while connected (plain pass): at each checkpoint the host edits the config and
# sends SIGHUP; the kernel must follow from the Namespace Attribute Changed event alone (it rescans
# the active namespace list), with no reconnect, while namespace 1 takes writes read back the whole time.
# since_ms START_NS: milliseconds since START_NS (date +%s%N).
since_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# wait_for SECONDS CMD...: polls CMD every 0.1 s; prints the milliseconds it took, or "never".
wait_for() {
  limit=$1; shift; start=$(date +%s%N)
  until "$@" > /dev/null 2>&1; do
    [ "$(since_ms "$start")" -ge $((limit * 1000)) ] && { echo never; return 0; }
    sleep 0.1
  done
  since_ms "$start"
}
ns_gone() { ! ns_dev "$1"; }
sectors_are() { [ "$(cat "/sys/block/$1/size")" = "$2" ]; }
# io_loop DEV: 1 MiB of fresh random data written (O_DIRECT) and read back, again and again, until
# /tmp/io-stop; the passes so far in /tmp/io-count, and "PASSES FAILURES" in /tmp/io-done at the end.
io_loop() {
  n=0; bad=0
  while [ ! -e /tmp/io-stop ]; do
    off=$((n % 64))
    head -c 1M /dev/urandom > /tmp/io-chunk
    dd if=/tmp/io-chunk of="/dev/$1" bs=1M seek=$off count=1 oflag=direct conv=notrunc 2> /dev/null || bad=$((bad + 1))
    dd if="/dev/$1" of=/tmp/io-back bs=1M skip=$off count=1 iflag=direct 2> /dev/null || bad=$((bad + 1))
    cmp -s /tmp/io-chunk /tmp/io-back || bad=$((bad + 1))
    n=$((n + 1)); echo $n > /tmp/io-count
  done
  echo "$n $bad" > /tmp/io-done
}
io_count() { cat /tmp/io-count 2> /dev/null || echo 0; }
cntlids() { cat /sys/class/nvme/nvme*/cntlid 2> /dev/null | tr '\n' ' '; }
# live_changes NS1DEV NS2DEV
live_changes() {
  rm -f /tmp/io-stop /tmp/io-done /tmp/io-count
  io_loop "$1" &
  loop=$!
  before=$(cntlids)
  rescans=$(dmesg | grep -c 'rescanning namespaces' || true)
  step live-add
  checkpoint ns-add
  result "live_add_ms=$(wait_for 120 ns_dev 3)"
  n3=$(ns_dev 3) || n3=none
  nvme list-ns "/dev/$(ls /sys/class/nvme | head -1)" 2>&1 | sed 's/^/list-ns: /'
  if [ "$n3" != none ]; then
    result "live_ns3 logical=$(cat "/sys/block/$n3/queue/logical_block_size") sectors=$(cat "/sys/block/$n3/size")"
  fi
  result "live_io_after_add=$(io_count)"
  step live-grow
  result "live_ns2_sectors_before=$(cat "/sys/block/$2/size")"
  checkpoint ns-grow
  result "live_grow_ms=$(wait_for 120 sectors_are "$2" 655360) live_ns2_sectors_after=$(cat "/sys/block/$2/size")"
  result "live_io_after_grow=$(io_count)"
  step live-remove
  checkpoint ns-remove
  result "live_remove_ms=$(wait_for 120 ns_gone 3)"
  result "live_io_after_remove=$(io_count)"
  touch /tmp/io-stop; wait $loop || true
  if [ -e /tmp/io-done ]; then read -r passes failures < /tmp/io-done; else passes=$(io_count) failures=died; fi
  result "live_io_passes=$passes live_io_failures=$failures"
  result "live_cntlid_before=$(echo $before | tr ' ' ,) live_cntlid_after=$(echo $(cntlids) | tr ' ' ,)"
  # Linux logs "rescanning namespaces" when a Namespace Attribute Changed notice starts its scan.
  result "live_rescans=$(( $(dmesg | grep -c 'rescanning namespaces' || true) - rescans ))"
  dmesg | grep -i 'nvme' | tail -20 | sed 's/^/dmesg: /'
}

for pass in plain digests; do
  step "connect-$pass"
  opts=""; [ $pass = digests ] && opts="-g -G --disable-sqflow"
  nvme connect -t tcp -a $A -s 4420 -n $NQN -q $HOST $opts || die "nvme connect ($pass) failed"
  n1=$(wait_ns 1); n2=$(wait_ns 2)
  result "${pass}_ns1 logical=$(cat /sys/block/$n1/queue/logical_block_size)"
  result "${pass}_ns2 logical=$(cat /sys/block/$n2/queue/logical_block_size)"
  nvme list 2>&1 | sed "s/^/list: /"
  result "${pass}_listed=$(nvme list 2>/dev/null | grep -c Storlane)"
  if [ $pass = plain ]; then
    step mkfs
    head -c 16M /dev/urandom > /tmp/data; sum=$(sha256sum < /tmp/data)
    mkfs.ext4 -q /dev/$n1; mkdir -p /mnt/n; mount /dev/$n1 /mnt/n
    cp /tmp/data /mnt/n/data; umount /mnt/n; mount /dev/$n1 /mnt/n
    result "ext4_readback=$([ "$(sha256sum < /mnt/n/data)" = "$sum" ] && echo same || echo differs)"
    umount /mnt/n
    if fsck.ext4 -fn /dev/$n1 > /dev/null 2>&1; then result ext4_fsck=clean; else result ext4_fsck=errors; fi
  fi
  step "fio-$pass"
  fio_verify /dev/$n2 24M "fio_$pass"
  if [ $pass = plain ]; then live_changes "$n1" "$n2"; fi
  step "disconnect-$pass"
  result "${pass}_disconnect=$(nvme disconnect -n $NQN 2>&1 | grep -c 'disconnected 1 controller')"
  wait_gone
done

# path_dev ADDRESS: the path device (nvmeXcYn1, hidden from /dev) of namespace 1 through that portal.
path_dev() {
  for d in /sys/block/nvme*c*n*; do
    [ "$(cat "$d/nsid" 2>/dev/null)" = 1 ] || continue
    c=$(basename "$(readlink -f "$d/device")")
    grep -q "traddr=$1," "/sys/class/nvme/$c/address" 2>/dev/null && { basename "$d"; return 0; }
  done
}
path_ios() { if [ -n "$1" ] && [ -e "/sys/block/$1/stat" ]; then ios "$1"; else echo 0; fi; }

step connect-multipath
for a in $A 10.231.2.1; do
  nvme connect -t tcp -a $a -s 4420 -n $NQN -q $HOST -k 5 -l 60 || die "nvme connect ($a) failed"
done
n1=$(wait_ns 1)
i=0
while [ "$(nvme list-subsys /dev/$n1 2>/dev/null | grep -c ' live')" -lt 2 ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
nvme list-subsys /dev/$n1 2>&1 | sed 's/^/subsys: /'
result "mp_live=$(nvme list-subsys /dev/$n1 2>/dev/null | grep -c ' live')"
result "mp_optimized=$(nvme list-subsys /dev/$n1 2>/dev/null | grep "traddr=$A," | grep -c ' optimized') mp_nonoptimized=$(nvme list-subsys /dev/$n1 2>/dev/null | grep 'traddr=10.231.2.1,' | grep -c 'non-optimized')"
P1=$(path_dev $A); P2=$(path_dev 10.231.2.1)
result "mp_path1=${P1:-none} mp_path2=${P2:-none}"
step fio-multipath
a=$(path_ios "$P1"); b=$(path_ios "$P2")
mark fio-started
fio_verify /dev/$n1 25s mp --rw=randwrite --verify_backlog=64 --write_lat_log=mp --log_avg_msec=0
stall_report mp
result "mp_during_path1_ios=$(( $(path_ios "$P1") - a )) mp_during_path2_ios=$(( $(path_ios "$P2") - b ))"
nvme list-subsys /dev/$n1 2>&1 | sed 's/^/after: /'
nvme disconnect -n $NQN > /dev/null 2>&1
step done
