# dm-multipath over two portals in two portal groups, both active/optimized: one map, one
# priority group with both paths, and each of round-robin, queue-length and service-time sends
# I/O down both paths. Variables: TARGET.
. ./lib.sh
# The early steps name where a boot stalls when the host gives up waiting.
step discovery
for P in 10.231.1.1:3260 10.231.2.1:3260; do
  iscsiadm -m discovery -t sendtargets -p $P > /dev/null
done
start_multipath "service-time 0" queue
step login
iscsiadm -m node -T "$TARGET" --login > /dev/null
step wait-map
MAP=$(wait_map 2)
multipath -ll
wait_groups 1
result "maps=$(multipath -l -v1 | wc -l) hwhandler=$(multipath -ll | sed -n "s/.*hwhandler='\([^']*\)'.*/\1/p" | tr ' ' _)"
P1=$(portal_dev 10.231.1.1); P2=$(portal_dev 10.231.2.1)
for s in round-robin queue-length service-time; do
  sed -i "s/path_selector .*/path_selector \"$s 0\"/" /etc/multipath.conf
  multipathd reconfigure > /dev/null
  i=0; until multipath -ll | grep -q "policy='$s 0'"; do i=$((i + 1)); [ $i -gt 100 ] && die "selector $s not applied"; sleep 0.1; done
  a=$(ios $P1); b=$(ios $P2)
  fio --name=$s --filename="$MAP" --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 --time_based --runtime=3 > /dev/null
  result "$s path1_ios=$(( $(ios $P1) - a )) path2_ios=$(( $(ios $P2) - b ))"
done
step done
