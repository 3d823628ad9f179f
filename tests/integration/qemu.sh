# The qemu target end to end: real kernels (the cached builds of kernel_build.sh
# and Debian's 6.1), booted in QEMU under TCG with an NVMe and a SATA disk,
# the agent running fio on vfat and exfat inside, results read back from SQLite.
. "$(dirname "$0")/lib.bash"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
for f in /usr/src/linux-source-6.12.tar.xz /usr/src/linux-source-6.1.tar.xz; do
	if [ ! -f "$f" ]; then
		echo "not ok 1 - $f is missing (make deps installs it)"
		echo "1..1"
		exit 1
	fi
done

# qemu_config FILE DATABASE FILESYSTEMS BS REPETITIONS [target qemu lines]
qemu_config() {
	cat > "$1" <<EOC
[store]
database = $2
[matrix]
filesystems = $3
rw = randread, randwrite
bs = $4
size = 16M
runtime = 1
repetitions = $5
[target qemu]
disk_size = 256M
image_dir = $T/img
boot_timeout = 120
${6:-}
[collectors]
perf_stat = on
[kernels]
cache_dir = $CACHE
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
[kernel v6.1]
source = deb:linux-source-6.1
configs = $REPO_DIR/kernels/configs/qemu.config $REPO_DIR/kernels/configs/qemu-6.1.config
EOC
}
mkdir -p "$T/img"

# --- 6.12: vfat and exfat on NVMe and SATA, pins and the legacy-DIO proof ---
qemu_config "$T/config.ini" qemu.db "vfat, exfat" "4k, 128k" 1
"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline > "$T/out" 2> "$T/err"
ok $? "run --target qemu --kernel baseline exits 0"
db="$T/qemu.db"
is "$(q "$db" "select state || ' ' || target from run")" "done qemu" "the run is done, target qemu"
contains "$T/err" "booting baseline" "progress says which kernel boots"
contains "$T/err" "agent up" "progress says when the agent reported in"
contains "$T/err" "[16/16]" "progress counts repetitions"
is "$(q "$db" "select count(*) from job")" "16" "2 disks x 2 filesystems x 2 rw x 2 bs jobs"
is "$(q "$db" "select count(distinct j.device) from sample s join job j on j.id = s.job
	where s.metric in ('fio.read.iops', 'fio.write.iops') and s.value > 0 and s.rep = 1")" "2" \
	"IOPS stored for both the NVMe and the SATA disk"
is "$(q "$db" "select group_concat(distinct j.fs) from sample s join job j on j.id = s.job
	where s.metric = 'fio.total_ios' and s.value > 0 order by j.fs")" "vfat,exfat" \
	"both filesystems measured"
is "$(q "$db" "select count(*) from sample s join job j on j.id = s.job where s.rep = 1
	and s.metric = 'vmstat.nr_foll_pin_released' and s.value > 0")" "16" \
	"6.12 pins pages in legacy direct I/O: nr_foll_pin_released > 0 in every job"
is "$(q "$db" "select count(*) from sample where rep = 0 and metric = 'dio.legacy_calls'
	and value > 0")" "16" "the legacy-DIO proof counted __blockdev_direct_IO calls in every job"
is "$(q "$db" "select count(*) from sample where rep = 0 and metric = 'dio.fs_direct_io_calls'
	and value > 0")" "16" "and calls of fat_direct_IO / exfat_direct_IO"
is "$(q "$db" "select count(*) from sample where rep >= 1 and metric like 'dio.%'")" "0" \
	"kprobes never run during measured repetitions"
is "$(q "$db" "select count(*) from flag")" "0" "no job flagged"
is "$(q "$db" "select count(*) from rep where boot = 1")" "32" \
	"every repetition and proof pass knows its boot"
release=$(q "$db" "select release from kernel")
case "$release" in 6.12.*) r=0 ;; *) r=1 ;; esac
ok $r "the kernel's release is 6.12.x ($release)"
case "$(q "$db" "select version from kernel")" in "Linux version 6.12."*) r=0 ;; *) r=1 ;; esac
ok $r "the guest's /proc/version is recorded"
is "$(q "$db" "select target_kind from machine")" "qemu-tcg" "the machine says qemu under TCG"
contains <(q "$db" "select devices from machine") '"model":"QEMU NVMe Ctrl"' \
	"the device models are recorded"
logdir=$(q "$db" "select log from run")
check "the console log is kept" test -s "$logdir/boot-1.console.log"
contains "$logdir/boot-1.console.log" "pinbench-init: starting agent" "and holds the boot"
"$PINBENCH" db show 1 --db "$db" > "$T/show" 2>&1
contains "$T/show" "logs: $logdir" "db show names the log directory"
check "no image file left behind" test -z "$(ls "$T/img")"

# --- two kernels, two boots each: A B A B; 6.1 takes references, not pins;
# ext2 is legacy direct I/O on 6.1 only (6.12 moved it to iomap) ---
qemu_config "$T/config2.ini" two.db "vfat, ext2" 4k 2 "disks = nvme"
"$PINBENCH" run --config "$T/config2.ini" --target qemu --kernel baseline --kernel v6.1 \
	--boots 2 --repetitions 2 > "$T/out2" 2> "$T/err2"
ok $? "two kernels, two boots each, exit 0"
db2="$T/two.db"
is "$(q "$db2" "select group_concat(k.name || ':' || r.state, ' ') from run r
	join kernel k on k.id = r.kernel order by r.id")" "baseline:done v6.1:done" \
	"one run per kernel, both done"
is "$(q "$db2" "select group_concat(x, ' ') from (select k.name || p.boot as x from rep p
	join run r on r.id = p.run join kernel k on k.id = r.kernel where p.rep >= 1
	group by p.run, p.boot order by min(p.stored_at))")" \
	"baseline1 v6.11 baseline2 v6.12" "boots interleave A B A B"
is "$(q "$db2" "select group_concat(p.rep || '@' || p.boot, ' ') from rep p join run r
	on r.id = p.run join job j on j.id = p.job where r.id = 1 and j.rw = 'randread'
	and j.fs = 'vfat' and p.rep >= 1 order by p.rep")" "1@1 2@2" \
	"repetitions are spread over the boots"
is "$(q "$db2" "select count(*) from sample s join run r on r.id = s.run join kernel k
	on k.id = r.kernel where k.name = 'v6.1' and s.rep >= 1
	and s.metric = 'vmstat.nr_foll_pin_released' and s.value = 0")" "8" \
	"6.1's direct I/O takes page references: no pins released"
is "$(q "$db2" "select count(*) from sample s join run r on r.id = s.run join kernel k
	on k.id = r.kernel where k.name = 'baseline' and s.rep >= 1
	and s.metric = 'vmstat.nr_foll_pin_released' and s.value > 0")" "8" \
	"while 6.12 pins for the same jobs"
is "$(q "$db2" "select count(*) from sample s join run r on r.id = s.run join kernel k
	on k.id = r.kernel where k.name = 'v6.1' and s.metric = 'dio.legacy_calls'
	and s.value > 0")" "4" "6.1 goes through fs/direct-io.c for vfat and ext2 (one proof per job)"
is "$(q "$db2" "select group_concat(k.name || ' ' || j.fs || ' ' || f.kind, ', ') from flag f
	join run r on r.id = f.run join kernel k on k.id = r.kernel join job j on j.id = f.job
	order by f.rowid")" "baseline ext2 not_legacy_dio, baseline ext2 not_legacy_dio" \
	"ext2 on 6.12 is flagged: no __blockdev_direct_IO call (it uses iomap)"
is "$(q "$db2" "select count(*) from sample s join job j on j.id = s.job where s.run = 1
	and j.fs = 'ext2' and s.metric = 'dio.legacy_calls' and s.value = 0")" "2" \
	"its proof stored 0 calls, not unavailable"
contains "$T/err2" "claims legacy direct I/O but" "the flag is said on the terminal"
contains "$T/out2" "not_legacy_dio" "and in the summary"

# --- a kernel that panics at boot ---
qemu_config "$T/config3.ini" panic.db vfat 4k 1 "cmdline = rdinit=/nonexistent"
"$PINBENCH" run --config "$T/config3.ini" --target qemu --kernel baseline > "$T/out3" 2> "$T/err3"
is "$?" "3" "a guest that panics ends the run with exit 3"
db3="$T/panic.db"
is "$(q "$db3" "select state from run")" "panicked" "the run is marked panicked"
contains <(q "$db3" "select reason from run") "Kernel panic - not syncing" \
	"the reason quotes the panic"
contains "$T/err3" "last console lines" "the console's tail is shown"
check "the console log is kept" test -s "$(q "$db3" "select log from run")/boot-1.console.log"

# --- the guest dies mid-run: what was finished stays stored ---
qemu_config "$T/config4.ini" killed.db vfat "4k, 128k" 4 "disks = nvme"
"$PINBENCH" run --config "$T/config4.ini" --target qemu --kernel baseline > "$T/out4" 2> "$T/err4" &
pid=$!
db4="$T/killed.db"
for i in $(seq 1 600); do
	[ "$(q "$db4" "select count(*) from rep where rep >= 1" 2>/dev/null)" -ge 2 ] 2>/dev/null && break
	sleep 0.5
done
pkill -KILL -f "$T/img/" 
wait $pid
is "$?" "3" "a guest killed mid-run ends the run with exit 3"
is "$(q "$db4" "select state from run")" "agent_failed" "the run is marked agent_failed"
contains <(q "$db4" "select reason from run") "before the agent finished" "with the reason"
stored=$(q "$db4" "select count(*) from rep where rep >= 1 and status = 'ok'")
[ "$stored" -ge 2 ] && [ "$stored" -lt 16 ]
ok $? "the repetitions finished before the kill are stored ($stored of 16)"

# --- a host block device passed through to the guest: only when allow-listed ---
truncate -s 256M "$T/lab.img"
loop=$(losetup -f --show "$T/lab.img" 2>/dev/null)
if [ -z "$loop" ]; then
	skip "pass-through of an allow-listed device" "losetup not permitted here"
else
	trap 'losetup -d "$loop"; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
	qemu_config "$T/config5.ini" lab.db vfat 4k 1 "disks = lab"
	printf '[device lab]\npath = %s\nserial = %s\nbus = sata\n' "$loop" "$T/wrong.img" \
		>> "$T/config5.ini"
	"$PINBENCH" run --config "$T/config5.ini" --target qemu --kernel baseline \
		> "$T/out5" 2> "$T/err5"
	is "$?" "2" "a device whose serial does not match is refused (exit 2)"
	contains "$T/err5" "refusing" "saying why"
	is "$(q "$T/lab.db" "select count(*) from run" 2>/dev/null || echo 0)" "0" \
		"and nothing was booted"
	sed -i "s|^serial = $T/wrong.img$|serial = $T/lab.img|" "$T/config5.ini"
	# from a copy under /tmp, which the guest covers with its own tmpfs
	mkdir -p "$T/bin"
	cp "$PINBENCH" "$(dirname "$PINBENCH")/pinbench-init" "$T/bin/"
	"$T/bin/$(basename "$PINBENCH")" run --config "$T/config5.ini" --target qemu \
		--kernel baseline > "$T/out5" 2> "$T/err5"
	ok $? "the allow-listed device is passed through as a SATA disk (pinbench run from /tmp)"
	is "$(q "$T/lab.db" "select count(*) from sample where metric = 'fio.total_ios'
		and value > 0 and rep = 1")" "2" "and measured"
	contains <(q "$T/lab.db" "select devices from machine") "\"path\":\"$loop\"" \
		"the machine records the host device"
fi

done_testing
