# Disk safety: pinbench writes only to an allow-listed (path + serial),
# unmounted block device. Uses a loop device, whose "serial" is its backing file.
. "$(dirname "$0")/lib.bash"

dev_config() {  # dev_config FILE PATH SERIAL
	cat > "$1" <<EOC
[store]
database = dev.db
[matrix]
devices = lab0
filesystems = ext4
rw = randread
bs = 4k
size = 8M
runtime = 1
repetitions = 1
[target host]
scratch_dir = $T/scratch
[device lab0]
path = $2
serial = $3
EOC
}

# a regular file is refused, whatever the config says
truncate -s 64M "$T/disk.img"
dev_config "$T/c1.ini" "$T/disk.img" "$T/disk.img"
"$PINBENCH" run --config "$T/c1.ini" > /dev/null 2> "$T/err"
is "$?" "2" "a regular file as device exits 2"
contains "$T/err" "is not a block device: refusing" "and says why"
check "no database written for a refused run" test ! -e "$T/dev.db"

# a mounted disk (the one holding /) is refused
root_dev=$(findmnt -no SOURCE / 2>/dev/null)
if [ -b "$root_dev" ]; then
	dev_config "$T/c2.ini" "$root_dev" "anything"
	"$PINBENCH" run --config "$T/c2.ini" > /dev/null 2> "$T/err"
	is "$?" "2" "the root disk is refused"
	contains "$T/err" "refusing" "with a reason"
else
	skip "root disk refused" "no block device behind /"
fi

loop=$(losetup -f --show "$T/disk.img" 2> "$T/losetup.err")
if [ -z "$loop" ]; then
	ok 1 "a loop device for the disk-safety tests: $(head -1 "$T/losetup.err")"
	done_testing
	exit
fi
trap 'umount "$T/m" 2>/dev/null; losetup -d "$loop"; rm -rf "$T"' EXIT

# serial mismatch
dev_config "$T/c3.ini" "$loop" "WRONG-SERIAL"
"$PINBENCH" run --config "$T/c3.ini" > /dev/null 2> "$T/err"
is "$?" "2" "serial mismatch exits 2"
contains "$T/err" "but the config allow-lists 'WRONG-SERIAL'" "and names both serials"

# mounted: refused
mkfs.ext4 -q -F "$loop"
mkdir -p "$T/m"
mount "$loop" "$T/m"
echo precious > "$T/m/file"
dev_config "$T/c4.ini" "$loop" "$T/disk.img"
"$PINBENCH" run --config "$T/c4.ini" > /dev/null 2> "$T/err"
is "$?" "2" "mounted device exits 2"
contains "$T/err" "is in use as '$T/m'" "and names the mount point"
is "$(cat "$T/m/file")" "precious" "the mounted filesystem is untouched"
umount "$T/m"

# held exclusively by another program (as mkfs, md or dm would): refused
python3 - "$loop" "$T/held" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
open(sys.argv[2], "w").close()
time.sleep(120)
PY
holder=$!
for _ in $(seq 200); do [ -e "$T/held" ] && break; sleep 0.05; done
"$PINBENCH" run --config "$T/c4.ini" > /dev/null 2> "$T/err"
is "$?" "2" "a device another program holds O_EXCL exits 2"
contains "$T/err" "cannot be opened exclusively" "and says it is in use"
kill "$holder"
wait "$holder" 2> /dev/null

# allow-listed and unmounted: mkfs, mount, fio, unmount
"$PINBENCH" run --config "$T/c4.ini" > "$T/out" 2> "$T/err"
ok $? "allow-listed unmounted device runs"
is "$(q "$T/dev.db" "select count(*) from sample where metric='fio.read.iops' and value>0")" "1" \
	"IOPS stored for the device job"
is "$(q "$T/dev.db" "select fs || ' ' || device from job")" "ext4 lab0" "job records fs and device"
check "device unmounted afterwards" bash -c "! grep -q '$T/scratch/mnt-lab0' /proc/self/mountinfo"
contains "$T/err" "mkfs.ext4 $loop" "progress says what is formatted"

# pinbench holds the device exclusively from its check on: while the scratch jobs run first
# (before mkfs) and while the device's own jobs run, every fio finds it busy for O_EXCL
mkdir -p "$T/bin"
cat > "$T/bin/fio" <<EOF
#!/bin/sh
python3 -c 'import os, sys
try:
    os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))
    print("free")
except OSError:
    print("busy")' "$loop" >> "$T/opens"
exec $(command -v fio) "\$@"
EOF
chmod +x "$T/bin/fio"
sed -e 's/^devices = .*/devices = scratch, lab0/' -e 's/^database = .*/database = hold.db/' \
	"$T/c4.ini" > "$T/c5.ini"
PATH="$T/bin:$PATH" "$PINBENCH" run --config "$T/c5.ini" > /dev/null 2> "$T/err"
ok $? "a run with the scratch directory and the device"
is "$(q "$T/hold.db" "select group_concat(fs || ' ' || device, ', ') from (select * from job order by id)")" \
	"ext4 scratch, ext4 lab0" "the scratch job ran first, then the device's"
is "$(sort -u "$T/opens" | tr '\n' ' ')" "busy " "no fio could open the device O_EXCL: pinbench or its mount held it"
check "every fio was asked" test "$(wc -l < "$T/opens")" -ge 2

done_testing
