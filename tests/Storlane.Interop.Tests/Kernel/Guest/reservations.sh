# Persistent reservations from the kernel's side, as a failover cluster's disk arbitration does
# them: two initiator names (two iscsiadm ifaces, two sessions, one LUN seen twice), register,
# reserve Write Exclusive, a conflict for the other node's write, preempt, read keys, release.
# Variables: TARGET.
. ./lib.sh
P=10.231.1.1:3260
for n in a b; do
  iscsiadm -m iface -I node-$n -o new > /dev/null
  iscsiadm -m iface -I node-$n -o update -n iface.initiatorname -v iqn.2026-12.io.storlane.test:node-$n > /dev/null
done
iscsiadm -m discovery -t sendtargets -p $P -I node-a -I node-b > /dev/null
iscsiadm -m node -T "$TARGET" -p $P -I node-a --login > /dev/null
iscsiadm -m node -T "$TARGET" -p $P -I node-b --login > /dev/null
# The disk each node's session attached: sessions listed in login order, one LUN each.
node_dev() {
  iscsiadm -m session -P 3 | awk -v name="iqn.2026-12.io.storlane.test:node-$1" '
    /Iface Initiatorname:/ { here = ($3 == name) }
    /Attached scsi disk/ && here { print $4; exit }'
}
i=0; until [ -n "$(node_dev a)" ] && [ -n "$(node_dev b)" ]; do i=$((i + 1)); [ $i -gt 200 ] && die "the two sessions' disks never appeared"; sleep 0.1; done
A=/dev/$(node_dev a); B=/dev/$(node_dev b)
result "disks=$A,$B"
keys() { sg_persist --in --read-keys "$1" 2>&1 | awk '/^ +0x/ { printf "%s%s", sep, $1; sep = "," } END { if (!sep) printf "none" }'; }
holder() { sg_persist --in --read-reservation "$1" 2>&1 | awk '/Key=/ { sub(/^ *Key=/, ""); k = $0 } /type:/ { sub(/.*type: */, ""); gsub(/ /, "_"); t = $0 } END { printf "%s", (k == "" ? "none" : k "/" t) }'; }
writes() { if dd if=/dev/zero of="$1" bs=4096 count=1 oflag=direct conv=notrunc 2> /dev/null; then echo ok; else echo refused; fi; }
reads() { if dd if="$1" of=/dev/null bs=4096 count=1 iflag=direct 2> /dev/null; then echo ok; else echo refused; fi; }

step register
sg_persist --out --register --param-sark=0xa1 "$A" > /dev/null
sg_persist --out --register --param-sark=0xb2 "$B" > /dev/null
result "keys_registered=$(keys "$A")"
step reserve
sg_persist --out --reserve --param-rk=0xa1 --prout-type=1 "$A" > /dev/null
result "holder_after_reserve=$(holder "$B")"
result "a_write_reserved=$(writes "$A") b_write_reserved=$(writes "$B") b_read_reserved=$(reads "$B")"
if sg_persist --out --reserve --param-rk=0xb2 --prout-type=1 "$B" > /dev/null 2>&1; then result b_reserve=granted; else result b_reserve=conflict; fi
step preempt
sg_persist --out --preempt --param-rk=0xb2 --param-sark=0xa1 --prout-type=1 "$B" > /dev/null
# SPC-4 5.14.11.4.4: the preempted node learns it from a unit attention on its next command.
result "a_sense_after_preempt=$(sg_persist --in --read-keys "$A" 2>&1 | sed -n 's/^Additional sense: //p' | head -1 | tr ' ' _)"
result "keys_after_preempt=$(keys "$B") holder_after_preempt=$(holder "$A")"
result "a_write_preempted=$(writes "$A") b_write_preempted=$(writes "$B")"
step release
sg_persist --out --release --param-rk=0xb2 --prout-type=1 "$B" > /dev/null
sg_persist --out --register --param-rk=0xb2 --param-sark=0 "$B" > /dev/null
result "keys_at_end=$(keys "$A") holder_at_end=$(holder "$A") a_write_at_end=$(writes "$A")"
step done
