# Two Storlane gateways over one Ceph RBD image (portal group 1 on 10.231.1.1 owns the LU:
# active/optimized; group 2 on 10.231.2.1 is active/non-optimized), dm-multipath with the ALUA
# handler and queue_if_no_path, fio 4K random writes at QD16 with every block read back and checked
# (crc32c, verify_backlog) on the map; the host SIGKILLs the owning gateway mid-run. Reports fio's
# errors, the longest I/O and the longest stretch without a completion, and which path carried the I/O.
# The peer row runs the same script against two tgt-rbd gateways (no ALUA: one priority group).
# Variables: TARGET, PATH_GROUPS (2, or 1 for tgt-rbd), RUNTIME (s).
. ./lib.sh
step discovery
for P in 10.231.1.1:3260 10.231.2.1:3260; do
  iscsiadm -m discovery -t sendtargets -p $P > /dev/null
done
# NOP-Out every 2 s with 5 s to answer, replacement_timeout 5 s (lib.sh's "safe"): a killed gateway's
# connection is reset at once, so the replacement timeout is what holds the I/O before dm-multipath
# reissues it through the other gateway.
set_timers "$TARGET" safe
start_multipath "service-time 0" queue
step login
# The owner's portal (group 1) first.
login_in_order "$TARGET" 10.231.1.1 10.231.2.1
step wait-map
MAP=$(wait_map 2)
wait_groups "${PATH_GROUPS:-2}"
multipath -ll | sed 's/^/before: /'
P1=$(portal_dev 10.231.1.1); P2=$(portal_dev 10.231.2.1)
result "group1_state_before=$(rtpg_state "$P1" 1) group2_state_before=$(rtpg_state "$P1" 2)"
step warm-up
a=$(ios $P1); b=$(ios $P2)
fio --name=warm --filename="$MAP" --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 --time_based --runtime=3 > /dev/null
result "before_path1_ios=$(( $(ios $P1) - a )) before_path2_ios=$(( $(ios $P2) - b ))"
step fio
a=$(ios $P1); b=$(ios $P2)
mark fio-started
fio_verify "$MAP" "${RUNTIME:-25}s" kill --rw=randwrite --bs=4k --iodepth=16 --verify_backlog=16 \
  --write_lat_log=kill --log_avg_msec=0
stall_report kill
result "during_path1_ios=$(( $(ios $P1) - a )) during_path2_ios=$(( $(ios $P2) - b ))"
multipath -ll | sed 's/^/after: /'
# The survivor took the lease once it ran out (or the kernel's ALUA handler asked it to with SET
# TARGET PORT GROUPS): either way it reports its group active/optimized now.
result "group2_state_after=$(rtpg_state "$P2" 2)"
if multipath -ll | grep -q "$P1 .*failed faulty"; then result path1_failed=yes; else result path1_failed=no; fi
step done
