# Helpers for Storlane's kernel-initiator guest scripts; each guest.sh sources this first.
# Output protocol read by the tests: "STEP <ms> name", "RESULT key=value ...", "CHECKPOINT name"
# (the guest waits until the host creates checkpoint.<name> in the shared folder), "FAIL reason".
set -eu
T0=$(date +%s%N)
step() { echo "STEP $(( ($(date +%s%N) - T0) / 1000000 ))ms $*"; }
result() { echo "RESULT $*"; }
die() { echo "FAIL $*"; exit 1; }

checkpoint() {
  echo "CHECKPOINT $1"
  i=0
  while [ ! -e "/storlane-vm/checkpoint.$1" ]; do
    i=$((i + 1)); [ $i -gt 3000 ] && die "the host never answered checkpoint $1"
    sleep 0.1
  done
}

# The kernel side: iscsi_tcp, sd, dm-multipath with ALUA, CRC32C for digests, file systems.
modprobe -a iscsi_tcp sd_mod sg crc32c_generic dm_multipath scsi_dh_alua dm_round_robin \
  dm_queue_length dm_service_time ext4 xfs || die "modprobe failed"
mkdir -p /etc/iscsi /run/lock/iscsi
echo "InitiatorName=${INITIATOR:-iqn.2026-12.io.storlane.test:vm}" > /etc/iscsi/initiatorname.iscsi
iscsid || die "iscsid did not start"
step iscsid-started

# The kernel names tasks stuck in uninterruptible sleep for 20 s, with their stacks, on the serial
# console: that reaches the host even when this script's own output (a pipe into the share) stalls.
echo 20 > /proc/sys/kernel/hung_task_timeout_secs 2> /dev/null || true

# node_set TARGET PORTAL KEY VALUE [IFACE]
node_set() { iscsiadm -m node -T "$1" -p "$2" ${5:+-I "$5"} -o update -n "$3" -v "$4" >/dev/null; }

# The block device (sdX) of LUN $1 in session host $2 (any host when absent).
lun_dev() {
  for d in /sys/class/scsi_device/${2:-*}:*:*:"$1"/device/block/*; do
    [ -e "$d" ] && { basename "$d"; return 0; }
  done
  return 1
}
wait_dev() {
  i=0
  while ! lun_dev "$@" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 200 ] && die "LUN $1 never appeared"
    sleep 0.1
  done
  lun_dev "$@"
}

# Completed reads + writes of a block device (fields 1 and 5 of /sys/block/X/stat).
ios() { awk '{ print $1 + $5 }' "/sys/block/$1/stat"; }

# fio_verify FILE SECONDS|SIZE NAME [extra fio options]: random read/write 4K-1M at depth 32 with
# crc32c verification; prints RESULT NAME_exit= NAME_errors=.
fio_verify() {
  file=$1; amount=$2; name=$3; shift 3
  case $amount in *s) limit="--time_based --runtime=${amount%s}";; *) limit="--size=$amount";; esac
  rc=0
  fio --name="$name" --filename="$file" --direct=1 --ioengine=libaio --rw=randrw --bsrange=4k-1m \
    --iodepth=32 $limit --verify=crc32c --verify_fatal=1 --do_verify=1 "$@" \
    --output-format=terse --terse-version=3 > "$name.fio" 2> "$name.fio.err" || rc=$?
  errors=$(cut -d';' -f5 "$name.fio" 2>/dev/null || echo unknown)
  result "${name}_exit=$rc ${name}_errors=${errors:-unknown}"
  [ -s "$name.fio.err" ] && sed "s/^/fio: /" "$name.fio.err" | head -20
  return 0
}

# mark NAME: a line the host waits for; the guest does not wait.
mark() { echo "MARK $1"; }

# open-iscsi timers for node records (NOP-Out interval, its timeout, replacement_timeout):
# "default" keeps Debian's iscsid.conf (5 s, 5 s, 120 s), "tuned" is the README's 2 s, 2 s, 5 s,
# "fast" 1 s, 1 s, 2 s, "safe" 2 s, 5 s, 5 s (a busy guest can miss a 2 s ping deadline on the
# surviving path: see docs/kernel-initiator.md).
set_timers() {
  case $2 in
    tuned) set -- "$1" 2 2 5 ;;
    safe) set -- "$1" 2 5 5 ;;
    fast) set -- "$1" 1 1 2 ;;
    *) return 0 ;;
  esac
  iscsiadm -m node -T "$1" -o update -n 'node.conn[0].timeo.noop_out_interval' -v "$2" > /dev/null
  iscsiadm -m node -T "$1" -o update -n 'node.conn[0].timeo.noop_out_timeout' -v "$3" > /dev/null
  iscsiadm -m node -T "$1" -o update -n node.session.timeo.replacement_timeout -v "$4" > /dev/null
}

# start_multipath SELECTOR NO_PATH_RETRY: udevd (multipath finds WWIDs through udev's
# properties) and multipathd with the ALUA device section the README documents (and one for tgtd).
start_multipath() {
  /lib/systemd/systemd-udevd --daemon > /dev/null 2>&1
  udevadm trigger --action=add > /dev/null 2>&1 || true
  udevadm settle --timeout=60 || echo "udevadm settle timed out"
  step udev-settled
  cat > /etc/multipath.conf <<CONF
defaults {
    user_friendly_names no
    find_multipaths no
    polling_interval 2
}
devices {
    device {
        vendor               "STORLANE"
        product              ".*"
        hardware_handler     "1 alua"
        prio                 alua
        path_grouping_policy group_by_prio
        path_selector        "$1"
        failback             immediate
        no_path_retry        $2
    }
    device {
        # tgtd, the peer target of the failover comparison: no ALUA, every path equal.
        vendor               "IET"
        product              "VIRTUAL-DISK"
        hardware_handler     "0"
        prio                 const
        path_grouping_policy multibus
        path_selector        "$1"
        failback             immediate
        no_path_retry        $2
    }
}
CONF
  multipathd -s
  step multipathd-started
}

# login_in_order TARGET ADDRESS...: logs in through each portal (ADDRESS:3260) in turn, its disk in
# place before the next. The preferred (active/optimized) portal goes first: with the non-optimized
# path alone in the map when it first forms, the kernel's ALUA handler asks for that group
# active/optimized, both groups end up optimized and the map has one priority group
# (docs/kernel-initiator.md, "the non-optimized path first"). `iscsiadm --login` would race them.
login_in_order() {
  target=$1; shift
  for address in "$@"; do
    iscsiadm -m node -T "$target" -p "$address:3260" --login > /dev/null
    i=0
    until [ -n "$(portal_dev "$address")" ]; do
      i=$((i + 1)); [ $i -gt 300 ] && die "no disk through $address after 30 s"
      sleep 0.1
    done
  done
}

# The dm-multipath map's device, once it has formed over $1 paths (up to 90 s). Runs inside $(...):
# a failure goes to stderr, which the guest log also keeps. Each probe is bounded: a probe blocked
# on a path's I/O would otherwise hang the script past the host's patience, silently.
wait_map() {
  deadline=$(( $(date +%s) + 90 ))
  # A probe stuck in uninterruptible sleep cannot be timed out: a watchdog reports from beside it,
  # straight to the serial console, every 15 s until the map is there. The kernel's list of blocked
  # tasks comes first: it needs no new program (a stalled root file system cannot start one).
  rm -f /tmp/map-ready
  (
    for n in 1 2 3 4 5 6; do
      sleep 15; [ -e /tmp/map-ready ] && exit 0
      echo "watchdog: no map after $((n * 15)) s"
      kernel_blocked_tasks
      report_blocked
    done
  ) > /dev/console 2>&1 &
  while :; do
    timeout 15 udevadm settle --timeout=10 > /dev/null 2>&1 || true
    wwid=$(timeout 15 multipath -l -v1 2> /dev/null | head -1)
    if [ -n "$wwid" ] && [ "$(timeout 15 multipath -ll "$wwid" 2> /dev/null | grep -c 'active ready')" -ge "$1" ]; then
      touch /tmp/map-ready; echo "/dev/mapper/$wwid"; return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "FAIL no multipath map over $1 paths: $(iscsiadm -m session 2> /dev/null | wc -l) sessions" >&2
      report_blocked >&2; exit 1
    fi
    sleep 0.2
  done
}

# The kernel's stacks of every task in uninterruptible sleep (sysrq w), on the console: printed at
# the info level, so the console's level goes up for it. Shell built-ins only.
kernel_blocked_tasks() {
  read -r levels < /proc/sys/kernel/printk
  echo 8 > /proc/sys/kernel/printk
  echo w > /proc/sysrq-trigger
  echo "${levels%%[!0-9]*}" > /proc/sys/kernel/printk
}

# What a stuck guest is doing: the maps, tasks in uninterruptible sleep with their kernel stacks,
# and the kernel log's tail.
report_blocked() {
  for d in /proc/[0-9]*; do
    state=$(awk '/^State:/ { print $2 }' "$d/status" 2> /dev/null) || continue
    [ "$state" = D ] || continue
    echo "  blocked: ${d#/proc/} $(tr '\0' ' ' < "$d/cmdline" 2> /dev/null | cut -c1-120)"
    sed 's/^/    /' "$d/stack" 2> /dev/null | head -12
  done
  dmesg | tail -40 | sed 's/^/  dmesg: /'
  timeout 15 dmsetup table 2>&1 | sed 's/^/  table: /'
  timeout 15 dmsetup status 2>&1 | sed 's/^/  status: /'
  timeout 15 multipath -ll 2>&1 | sed 's/^/  map: /' || echo "  multipath -ll did not answer in 15 s"
}

# stall_report NAME: from fio's per-I/O completion-latency log, the longest completion and the
# longest stretch with no completion at all (ms).
stall_report() {
  log=$(ls "$1"_clat.*.log 2> /dev/null | head -1)
  [ -n "$log" ] || { result "$1_longest_ms=unknown $1_gap_ms=unknown"; return 0; }
  result "$1_longest_ms=$(awk -F', ' '{ if ($2 > m) m = $2 } END { printf "%d", m / 1000000 }' "$log") $1_gap_ms=$(sort -t, -k1,1n "$log" | awk -F', ' 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { printf "%d", g }') $1_ios=$(wc -l < "$log")"
}

# The disk (sdX) of LUN 0 reached through portal address $1 (from iscsiadm's session details).
portal_dev() {
  iscsiadm -m session -P 3 | awk -v ip="$1" '
    /Current Portal:/ { here = index($3, ip ":") == 1 }
    /Attached scsi disk/ && here { print $4; exit }'
}

# Waits (up to 60 s of the clock, not of probes: one `multipath -ll` can take seconds in a TCG guest)
# until the map has $1 priority groups: multipathd regroups by ALUA priority once its checker has
# read each path's state, which can come after the map first forms. When they never come, the map
# and each path's view of the ALUA states say why (docs/kernel-initiator.md, "the non-optimized path first").
wait_groups() {
  deadline=$(( $(date +%s) + 60 ))
  until [ "$(timeout 15 multipath -ll 2> /dev/null | grep -c 'policy=')" -eq "$1" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "wait_groups: no $1 priority groups after 60 s"
      timeout 15 multipath -ll 2>&1 | sed 's/^/  map: /'
      for d in $(ls /sys/class/scsi_disk 2> /dev/null); do
        dev=$(ls "/sys/class/scsi_disk/$d/device/block" 2> /dev/null)
        [ -n "$dev" ] && echo "  $dev: group 1 $(rtpg_state "$dev" 1), group 2 $(rtpg_state "$dev" 2)"
      done
      break
    fi
    sleep 0.2
  done
  result "groups=$(timeout 15 multipath -ll 2> /dev/null | grep -c 'policy=')"
}

# rtpg_state DISK GROUP: the ASYMMETRIC ACCESS STATE (0x00 optimized, 0x01 non-optimized, ...) that
# REPORT TARGET PORT GROUPS through DISK gives for target port group GROUP.
rtpg_state() {
  sg_rtpg -d "/dev/$1" 2> /dev/null | awk -v id="0x$2 " '
    /target port group id/ { here = index($0, "id : " id) > 0 }
    /asymmetric access state/ && here { print $8; exit }'
}
