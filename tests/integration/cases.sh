# The dio-cases workload in the cached 6.12 guest: the seed's hard cases (the
# zero page, a page split across bios, a huge page, a page-cache mapping, a
# fault part way) measured case by case, and a planted pin leak on split
# pages caught by the leak probe while fio's plain job does not see it.
. "$(dirname "$0")/lib.bash"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
LEAK=$REPO_DIR/tests/fixtures/patches/0001-fs-direct-io-leak-pin-of-split-page.patch
mkdir -p "$T/img"

# cases_config FILE DATABASE FILESYSTEMS CASES
cases_config() {
	cat > "$1" <<EOC
[store]
database = $2
[matrix]
workloads = fio, dio-cases
cases = $4
filesystems = $3
rw = randread
bs = 4k
size = 8M
runtime = 1
repetitions = 1
[cost]
mode = off
[target qemu]
disks = nvme
disk_size = 256M
image_dir = $T/img
boot_timeout = 120
boots = 1
[kernels]
cache_dir = $CACHE
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
EOC
}

# value DB JOB METRIC: the median of a metric of a job over its stored repetitions
value() {
	q "$1" "select avg(s.value) from sample s join job j on j.id = s.job
		where j.name = '$2' and s.metric = '$3' and s.rep > 0 and s.value is not null"
}

# --- every case on 6.12: vfat with 512-byte clusters, jfs (4 KiB blocks) ---
# hfsplus: its mkfs is not installed here (hfsprogs), so it is skipped with a word
cases_config "$T/config.ini" cases.db "vfat-512, jfs, hfsplus" \
	"anon, zero-src, subblock-new, split-page, split-iovec, thp, file-mmap, fault-mid, nosuch"
"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline > "$T/out" 2> "$T/err"
ok $? "run --target qemu with the dio-cases workload exits 0"
db=$T/cases.db
contains "$T/err" "[matrix] cases: no case 'nosuch' (known: anon, zero-src" \
	"an unknown case is named, with the known ones"
if command -v mkfs.hfsplus > /dev/null; then
	contains "$T/err" "dio-anon@nvme:hfsplus" "hfsplus can be made here, and its cases ran"
else
	contains "$T/err" "skipping hfsplus: mkfs.hfsplus is not installed (Debian package hfsprogs)" \
		"a filesystem whose mkfs is missing is skipped with the package to install"
fi
is "$(q "$db" "select count(distinct j.name) from sample s join job j on j.id = s.job
	where j.name like 'dio-%' and s.rep > 0")" "16" \
	"the other cases ran: 8 cases on each of the 2 filesystems that can be made"
is "$(q "$db" "select count(*) from rep where status = 'failed'")" "0" "no repetition failed"

fio_rel=$(value "$db" "randread-4k-qd1-psync-nj1@nvme:jfs" pin.released_per_io)
anon_rel=$(value "$db" "dio-anon@nvme:jfs" pin.released_per_io)
fio_acq=$(value "$db" "randread-4k-qd1-psync-nj1@nvme:jfs" pin.acquired_per_io)
anon_acq=$(value "$db" "dio-anon@nvme:jfs" pin.acquired_per_io)
awk -v a="$anon_rel" -v f="$fio_rel" -v b="$anon_acq" -v g="$fio_acq" \
	'function abs(x) { return x < 0 ? -x : x }
	BEGIN { exit !(abs(a - f) < 0.05 && abs(b - g) < 0.05 && f > 2.9) }'
ok $? "the control matches fio's pins per I/O (released $anon_rel vs $fio_rel, acquired $anon_acq vs $fio_acq)"

for fs in vfat-512 jfs; do
	acq=$(value "$db" "dio-zero-src@nvme:$fs" pin.acquired_per_io)
	rel=$(value "$db" "dio-zero-src@nvme:$fs" pin.released_per_io)
	awk -v a="$acq" -v r="$rel" 'BEGIN { exit !(a < 0.05 && r < 0.05) }'
	ok $? "$fs: a write from the zero page takes no pin on 6.12 (acquired $acq, released $rel per I/O)"
	is "$(value "$db" "dio-zero-src@nvme:$fs" case.zero_page_src)" "1.0" \
		"$fs: and its source really was the zero page (pagemap)"
done

bios=$(value "$db" "dio-split-page@nvme:vfat-512" case.bios_per_io)
rel=$(value "$db" "dio-split-page@nvme:vfat-512" pin.released_per_io)
ctl=$(value "$db" "dio-anon@nvme:vfat-512" pin.released_per_io)
awk -v b="$bios" -v r="$rel" -v c="$ctl" 'BEGIN { exit !(b > 1.5 && r > c + 1) }'
ok $? "split-page on 512-byte clusters: $bios bios for a page per I/O, $rel pins released per I/O against the control's $ctl"
bios=$(value "$db" "dio-split-page@nvme:jfs" case.bios_per_io)
awk -v b="$bios" 'BEGIN { exit !(b < 1.05) }'
ok $? "on 4 KiB blocks a page is never split: $bios bios per I/O"
contains "$T/out" "dio-split-page@nvme:jfs" "the jfs split-page job is reported"
grep -rq "dio-split-page@nvme:jfs: blocks of 4096 bytes hold a whole page: no page is split" \
	"$T"/pinbench-logs
ok $? "and the guest says why, naming the filesystem to use instead"

rel=$(value "$db" "dio-split-iovec@nvme:jfs" pin.released_per_io)
acq=$(value "$db" "dio-split-iovec@nvme:jfs" pin.acquired_per_io)
awk -v r="$rel" -v a="$acq" 'BEGIN { exit !(a > 1.9 && r > 5.9) }'
ok $? "two iovecs in one page: the page is pinned twice ($acq acquired, $rel released per I/O)"

is "$(value "$db" "dio-thp@nvme:jfs" case.thp)" "1.0" "thp: a huge page backed the buffer (smaps)"
disk=$(value "$db" "dio-subblock-new@nvme:jfs" case.disk_bytes_per_io)
awk -v d="$disk" 'BEGIN { exit !(d >= 4096) }'
ok $? "subblock-new on jfs: a 512-byte write into a new block writes the block ($disk bytes per I/O: the rest from ZERO_PAGE)"
is "$(q "$db" "select count(*) from sample where metric = 'case.leaked_pages' and value > 0")" "0" \
	"no case leaves a page pinned"
is "$(q "$db" "select count(*) from sample where metric = 'case.leaked_pages'
	and value is not null and rep > 0")" "12" "the leak probe ran where it applies (not the zero page nor a shared mapping)"
is "$(q "$db" "select count(*) from sample where metric = 'case.data_errors' and value > 0")" "0" \
	"every case's data read back as written (fault-mid: nothing stale past the fault)"
is "$(q "$db" "select count(*) from flag")" "0" "and nothing was flagged"

# --- on this host: a kernel that gives no huge page is said, and the case still runs ---
thp=/sys/kernel/mm/transparent_hugepage/enabled
was=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$thp")
mkdir -p "$T/hostcase"
echo never > "$thp"
"$PINBENCH" dio-case --case thp --dir "$T/hostcase" --runtime-ms 100 > "$T/thp.json" 2> "$T/thp.err"
rc=$?
echo "$was" > "$thp"
is "$rc" "0" "dio-case thp runs with transparent huge pages off"
contains "$T/thp.json" '"thp":false' "and says no huge page backed the buffer"
contains "$T/thp.json" "the kernel gave no huge page for the buffer (AnonHugePages 0 kB)" \
	"in words"
"$PINBENCH" dio-case --case nosuch --dir "$T/hostcase" > /dev/null 2> "$T/nosuch.err"
is "$?" "2" "an unknown case is a usage error of dio-case"
contains "$T/nosuch.err" "no case 'nosuch' (known: anon, zero-src" "naming the known ones"

# --- a planted leak: the in-dio pin of a page split across bios is never dropped ---
cases_config "$T/leak.ini" leak.db "vfat-512" "split-page"
"$PINBENCH" compare --config "$T/leak.ini" --baseline baseline --patch "$LEAK" \
	> "$T/lout" 2> "$T/lerr"
is "$?" "1" "compare exits 1 on the planted leak"
db=$T/leak.db
leaked=$(q "$db" "select max(s.value) from sample s join job j on j.id = s.job
	join run r on r.id = s.run join kernel k on k.id = r.kernel
	where k.name = 'baseline+patch' and s.metric = 'case.leaked_pages'")
awk -v l="$leaked" 'BEGIN { exit !(l >= 1) }'
ok $? "the leak probe finds the buffer's page still pinned ($leaked page)"
line=$(grep 'case.leaked_pages' "$T/lout" | grep REGRESSION | head -1)
ok $((! ! $?)) "the report's table has it as a regression ($line)"
contains "$T/lout" "dio-split-page: a page whose blocks are not contiguous on disk" \
	"and says in words what the case exercises"
contains "$T/lerr" "still pinned after the I/O completed" "and the run warned about it"
is "$(q "$db" "select count(*) from flag where kind = 'pin_leak'")" "1" "stored as a pin_leak flag"
grep 'randread-4k' "$T/lout" | grep -q REGRESSION
ok $((! $?)) "fio's plain job on the same filesystem sees no regression"
done_testing
