# dm-multipath over two portals (two portal groups), fio verify on the map, the cable of the first
# NIC pulled by the host mid-run: zero errors, the data verified, the stall measured from fio's
# latency log, and which path carried I/O before and after.
# Variables: TARGET, PATH_GROUPS (the priority groups expected: 1, or 2 with a preferred group), SELECTOR ("service-time 0"), TIMERS (tuned|default), RUNTIME (s).
. ./lib.sh
# The early steps name where a boot stalls when the host gives up waiting.
step discovery
for P in 10.231.1.1:3260 10.231.2.1:3260; do
  iscsiadm -m discovery -t sendtargets -p $P > /dev/null
done
set_timers "$TARGET" "${TIMERS:-tuned}"
start_multipath "${SELECTOR:-service-time 0}" queue
step login
# Group 1 (the preferred group) first.
login_in_order "$TARGET" 10.231.1.1 10.231.2.1
step wait-map
MAP=$(wait_map 2)
wait_groups "${PATH_GROUPS:-1}"
multipath -ll | sed 's/^/before: /'
P1=$(portal_dev 10.231.1.1); P2=$(portal_dev 10.231.2.1)
step warm-up
a=$(ios $P1); b=$(ios $P2)
fio --name=warm --filename="$MAP" --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 --time_based --runtime=3 > /dev/null
result "before_path1_ios=$(( $(ios $P1) - a )) before_path2_ios=$(( $(ios $P2) - b ))"
step fio
a=$(ios $P1); b=$(ios $P2)
mark fio-started
fio_verify "$MAP" "${RUNTIME:-30}s" pull --rw=randwrite --verify_backlog=64 --write_lat_log=pull --log_avg_msec=0
stall_report pull
result "during_path1_ios=$(( $(ios $P1) - a )) during_path2_ios=$(( $(ios $P2) - b ))"
multipath -ll | sed 's/^/after: /'
# What the kernel's ALUA handler did to the fallback group when dm-multipath switched to it.
result "group2_state_after=$(rtpg_state "$P2" 2)"
if multipath -ll | grep -q "$P1 .*failed faulty"; then result path1_failed=yes; else result path1_failed=no; fi
step done
