# dm-multipath with queue_if_no_path over two portals, fio verify on the map while the host stops
# the target and starts it again: the sessions log back in and fio sees no error.
# Variables: TARGET, RUNTIME (s).
. ./lib.sh
# The early steps name where a boot stalls when the host gives up waiting.
step discovery
for P in 10.231.1.1:3260 10.231.2.1:3260; do
  iscsiadm -m discovery -t sendtargets -p $P > /dev/null
done
set_timers "$TARGET" safe
start_multipath "service-time 0" queue
step login
iscsiadm -m node -T "$TARGET" --login > /dev/null
step wait-map
MAP=$(wait_map 2)
step fio
mark fio-started
fio_verify "$MAP" "${RUNTIME:-40}s" restart --rw=randwrite --verify_backlog=64 --write_lat_log=restart --log_avg_msec=0
stall_report restart
i=0; until [ "$(multipath -ll | grep -c 'active ready')" -eq 2 ]; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
multipath -ll
result "sessions_logged_in=$(iscsiadm -m session -P 1 | grep -c 'iSCSI Session State: LOGGED_IN') paths_ready=$(multipath -ll | grep -c 'active ready')"
step done
