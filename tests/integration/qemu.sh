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

# qemu_config FILE DATABASE FILESYSTEMS BS REPETITIONS [target qemu lines] [rw]
qemu_config() {
	cat > "$1" <<EOC
[store]
database = $2
[matrix]
filesystems = $3
rw = ${7:-randread, randwrite}
bs = $4
size = 16M
runtime = 1
repetitions = $5
[cost]
# counting boots are tests/integration/cost.sh's
mode = off
[target qemu]
disk_size = 256M
image_dir = $T/img
boot_timeout = 120
# one boot per kernel unless a test gives --boots
boots = 1
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

# no_crash FILE NAME: no sanitizer report, no crash in a run's stderr
no_crash() {
	check "$2" test -z "$(grep -E -e 'Sanitizer|runtime error:|Segmentation fault|core dumped|Aborted' "$1")"
}

# --- 6.12: vfat and exfat on NVMe and SATA, pins and the legacy-DIO proof ---
qemu_config "$T/config.ini" qemu.db "vfat, exfat" "4k, 128k" 1
"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline > "$T/out" 2> "$T/err"
ok $? "run --target qemu --kernel baseline exits 0"
db="$T/qemu.db"
is "$(q "$db" "select state || ' ' || target from run")" "done qemu" "the run is done, target qemu"
contains "$T/err" "booting baseline" "progress says which kernel boots"
contains "$T/err" "agent up" "progress says when the agent reported in"
contains "$T/err" "[16/16]" "progress counts repetitions"
check "the run says where its time went: $(grep 'time: kernels' "$T/err" | sed 's/.*time: //')" \
	grep -qE 'time: kernels [0-9]+ s .*: [0-9]+ s to the agent, [0-9]+ s fio runtime, [0-9]+ s harness \([0-9]+ % of the measuring time\)' "$T/err"
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

# --- the guest is untrusted: it sees its tools tree, not the host's files ---
# A password file the way a user keeps one, under /root, named by [mail]; the
# agent itself, inside the booted guest, tries to read it and the host's
# secrets through the real 9p export (PINBENCH_GUEST_PROBE), and says what the
# guest's / and /etc hold.
secrets=$(mktemp -d /root/pinbench-it.XXXXXX)
trap 'rm -rf "$secrets"; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
printf 'hunter2\n' > "$secrets/smtp-password"
chmod 600 "$secrets/smtp-password"
qemu_config "$T/config6.ini" probe.db vfat 4k 1 "disks = nvme" randread
printf '[mail]\npassword_file = %s\n' "$secrets/smtp-password" >> "$T/config6.ini"
check "the host itself can read /etc/shadow and the password file (the probe means something)" \
	test -r /etc/shadow -a -r "$secrets/smtp-password" -a -d /root
PINBENCH_GUEST_PROBE="/root:/etc/shadow:$secrets/smtp-password:$secrets:/usr/bin/fio:/etc:/" \
	"$PINBENCH" run --config "$T/config6.ini" --target qemu --kernel baseline \
	> "$T/out6" 2> "$T/err6" &
pid=$!
# QEMU starts as root and drops to the user once its files are open: watch it until it has
qemu_seen=
while kill -0 $pid 2>/dev/null; do
	line=$(ps -ww -o user=,args= -C qemu-system-x86_64 | grep -F -- "$T/img/")
	[ -n "$line" ] && qemu_seen=$line
	case "$qemu_seen" in "nobody "*) break ;; esac
	sleep 0.2
done
wait $pid
ok $? "a run whose guest has only the tools tree works (one job, one repetition)"
no_crash "$T/err6" "and nothing crashed"
db6="$T/probe.db"
is "$(q "$db6" "select count(*) from sample where rep = 1 and metric = 'fio.total_ios'
	and value > 0")" "1" "fio ran in the guest from the tree"
ok "$([ "$(q "$db6" "select count(*) from sample where rep = 1 and metric like 'perf.%'
	and value is not null")" -gt 0 ]; echo $?)" "so did perf (its libraries are in the tree)"
contains "$T/err6" "guest probe /root: error: No such file or directory" \
	"/root is not readable from the guest"
contains "$T/err6" "guest probe /etc/shadow: error: No such file or directory" \
	"/etc/shadow is not"
contains "$T/err6" "guest probe $secrets/smtp-password: error: No such file or directory" \
	"the [mail] password file is not"
contains "$T/err6" "guest probe $secrets: error: No such file or directory" \
	"nor its directory"
contains "$T/err6" "guest probe /usr/bin/fio: readable" \
	"while the probe reads what is there (fio)"
tree=$(sed -n 's/.*the guest sees \(.*\) read-only (.*/\1/p' "$T/err6" | head -1)
check "the export is a tree in the cache, not /" test -n "$tree" -a -d "$tree" -a "$tree" != /
contains "$T/err6" "guest probe /: readable, $(find "$tree" -xdev -type f | wc -l) files, entries: $(LC_ALL=C ls -A "$tree" | tr '\n' ' ' | sed 's/ $//')" \
	"the guest's / is exactly that tree: its names and its number of files"
contains "$T/err6" "guest probe /etc: readable, $(find "$tree/etc" -type f | wc -l) files, entries: $(LC_ALL=C ls -A "$tree/etc" | tr '\n' ' ' | sed 's/ $//')" \
	"and its /etc is the tree's"
is "$(LC_ALL=C ls -A "$tree/etc" | tr '\n' ' ')" "ld.so.cache mke2fs.conf mtab " \
	"which holds ld.so's cache, mke2fs's defaults and mtab only"
is "$(readlink "$tree/etc/mtab")" "/proc/self/mounts" \
	"its mtab is a link to the guest's own mounts, not a copy of the host's"
is "$(find "$tree" -type f | grep -v -e '\.so' -e '/s\?bin/' -e '/etc/ld\.so\.cache$' \
	-e '/etc/mke2fs\.conf$' -e '/usr/lib/locale/C\.utf8/')" "" \
	"every file of the tree is a program, a shared library or the C.UTF-8 locale"
check "no set-uid file in it" test -z "$(find "$tree" -type f -perm /6000)"
case "$qemu_seen" in "nobody "*) r=0 ;; *) r=1 ;; esac
ok $r "QEMU ran as nobody (${qemu_seen%% *})"
case "$qemu_seen" in *" -sandbox on,obsolete=deny,spawn=deny,resourcecontrol=deny "*) r=0 ;; *) r=1 ;; esac
ok $r "QEMU ran sandboxed"
case "$qemu_seen" in *"path=$tree,mount_tag=pbroot,"*) r=0 ;; *) r=1 ;; esac
ok $r "QEMU exported the tree"
case "$qemu_seen" in *"path=/,"*) r=1 ;; *) r=0 ;; esac
ok $r "and not the host's /"
rm -rf "$secrets"

# --- what the guest writes back is checked: a hostile record fails the boot ---
# The guest can write its work share; here the test writes into it while the
# guest runs, a record that tries to publish a secret as a metric name.
qemu_config "$T/config7.ini" hostile.db vfat 4k 2 "disks = nvme" randread
"$PINBENCH" run --config "$T/config7.ini" --target qemu --kernel baseline \
	> "$T/out7" 2> "$T/err7" &
pid=$!
db7="$T/hostile.db"
bundle=
while kill -0 $pid 2>/dev/null; do
	work=$(ps -ww -o args= -C qemu-system-x86_64 | grep -F -- "$T/img/" |
		sed -n 's/.*pinbench\.work=\([^ ]*\).*/\1/p' | head -1)
	bundle=$(ls "$work"/bundle-*.jsonl 2>/dev/null | head -1)
	[ -n "$bundle" ] && grep -q '"t":"hello"' "$bundle" && break
	sleep 0.2
done
hash=$(q "$db7" "select hash from job")
printf '{"t":"rep","job":"%s","name":"x","rep":2,"samples":[["fio.read.iops",1,"IO/s"],["root:$y$j9T$secret<script>",1,"count"]]}\n' \
	"$hash" >> "$bundle"
wait $pid
is "$?" "3" "a run whose guest sent a hostile record ends with exit 3"
no_crash "$T/err7" "without a crash"
is "$(q "$db7" "select state from run")" "agent_failed" "the run is marked agent_failed"
contains <(q "$db7" "select reason from run") \
	"was refused: sample 1: 'root:\$y\$j9T\$secret<script>' is not a metric name" \
	"the reason names the refused record and why"
contains "$T/err7" "is not a metric name" "the terminal says it"
is "$(q "$db7" "select count(*) from sample where metric like 'root%'")" "0" \
	"the secret is not stored as a metric"
is "$(q "$db7" "select count(*) from rep where rep = 2")" "0" \
	"not even its other sample: a refused record is refused whole"

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
	contains "$T/err5" "device 'lab': '$loop' reports serial '$T/lab.img' but the config allow-lists '$T/wrong.img': refusing" \
		"saying why: the serial it reports and the one allowed"
	no_crash "$T/err5" "a refusal, not a crash"
	check "and nothing was booted" test -z "$(grep -e 'booting' -e 'agent up' "$T/err5")"
	check "nor any database written" test ! -e "$T/lab.db"
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
