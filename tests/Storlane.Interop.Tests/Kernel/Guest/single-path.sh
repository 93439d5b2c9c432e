# One session with mutual CHAP and CRC32C header and data digests; three LUNs (512n, 512e, 4Kn):
# what sysfs reports, fio verify, ext4 and xfs made and checked, fstrim, a grown LUN after rescan.
. ./lib.sh
TARGET=iqn.2026-12.io.storlane:kernel
P=10.231.1.1:3260
iscsiadm -m discovery -t sendtargets -p $P | sed 's/^/discovered: /'
node_set $TARGET $P node.session.auth.authmethod CHAP
node_set $TARGET $P node.session.auth.username vmhost
node_set $TARGET $P node.session.auth.password vm-chap-secret-1
node_set $TARGET $P node.session.auth.username_in storlane
node_set $TARGET $P node.session.auth.password_in target-secret-2
node_set $TARGET $P 'node.conn[0].iscsi.HeaderDigest' CRC32C
node_set $TARGET $P 'node.conn[0].iscsi.DataDigest' CRC32C
iscsiadm -m node -T $TARGET -p $P --login >/dev/null
step logged-in
iscsiadm -m session -P 2 | sed -n 's/^[[:space:]]*\(HeaderDigest\|DataDigest\): /\1=/p' | while read -r kv; do result "$kv"; done
for lun in 0 1 2; do
  dev=$(wait_dev $lun); q=/sys/block/$dev/queue
  result "lun$lun logical=$(cat $q/logical_block_size) physical=$(cat $q/physical_block_size) discard_granularity=$(cat $q/discard_granularity) discard_max_bytes=$(cat $q/discard_max_bytes)"
done
A=/dev/$(lun_dev 0); B=/dev/$(lun_dev 1); C=/dev/$(lun_dev 2)

step fio
fio_verify $B 48M fio512e
fio_verify $C 48M fio4kn

step ext4
head -c 32M /dev/urandom > /tmp/data
sum=$(sha256sum < /tmp/data)
mkfs.ext4 -q $A; mkdir -p /mnt/a; mount $A /mnt/a
cp /tmp/data /mnt/a/data; umount /mnt/a; mount $A /mnt/a
result "ext4_readback=$([ "$(sha256sum < /mnt/a/data)" = "$sum" ] && echo same || echo differs)"
umount /mnt/a
if fsck.ext4 -fn $A > /dev/null 2>&1; then result ext4_fsck=clean; else result ext4_fsck=errors; fi

step xfs
mkfs.xfs -q -f $C; mkdir -p /mnt/c; mount $C /mnt/c
cp /tmp/data /mnt/c/data; umount /mnt/c; mount $C /mnt/c
result "xfs_readback=$([ "$(sha256sum < /mnt/c/data)" = "$sum" ] && echo same || echo differs)"
umount /mnt/c
if xfs_repair -n $C > /dev/null 2>&1; then result xfs_repair=clean; else result xfs_repair=errors; fi

step fstrim
mount $A /mnt/a; sync
checkpoint filled
rm /mnt/a/data; sync
result "fstrim_bytes=$(fstrim -v /mnt/a | sed -n 's/.*(\([0-9]*\) bytes).*/\1/p')"
umount /mnt/a
checkpoint trimmed

step rescan
result "lun0_bytes_before=$(blockdev --getsize64 $A)"
checkpoint grow
iscsiadm -m session --rescan > /dev/null
i=0; while [ "$(cat /sys/block/${A#/dev/}/size)" -eq 1048576 ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
result "lun0_bytes_after=$(blockdev --getsize64 $A)"
iscsiadm -m node --logoutall=all > /dev/null
step done
