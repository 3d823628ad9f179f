# The cost rows end to end: instructions per I/O counted by the pinbench-count
# TCG plugin in one counting boot per kernel (real kernels in QEMU, the real
# plugin). One run of five kernels (the baseline, its twin, the example
# extra-pin patch, a udelay(20) before every bio of legacy direct I/O, and
# Debian's 6.1); the twin's counting boot runs under a host load of two busy
# loops. Then compare --from-db on pairs of them.
. "$(dirname "$0")/lib.bash"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
PLUGIN=$(dirname "$PINBENCH")/pinbench-count.so
if [ ! -f "$PLUGIN" ]; then
	echo "not ok 1 - $PLUGIN is missing (make deps fetches qemu-plugin.h, make builds it)"
	echo "1..1"
	exit 1
fi
mkdir -p "$T/img"

# cost_config FILE DATABASE [cost lines]
cost_config() {
	cat > "$1" <<EOC
[store]
database = $2
[matrix]
filesystems = vfat
rw = randread
bs = 4k
size = 16M
runtime = 1
repetitions = 1
[cost]
${3:-}
[target qemu]
disks = nvme
disk_size = 256M
image_dir = $T/img
[collectors]
perf_stat = off
[kernels]
cache_dir = $CACHE
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
[kernel twin]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
[kernel patched]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
patches = $REPO_DIR/examples/patches/0001-fs-direct-io-extra-pin-per-page.patch
[kernel udelay]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
patches = $REPO_DIR/tests/fixtures/patches/0001-fs-direct-io-udelay-20-before-every-bio.patch
[kernel v6.1]
source = deb:linux-source-6.1
configs = $REPO_DIR/kernels/configs/qemu.config $REPO_DIR/kernels/configs/qemu-6.1.config
EOC
}
cost_config "$T/config.ini" cost.db
db="$T/cost.db"

# the host load: two busy loops while the twin's counting boot (the second) runs
load_pids=
load_watch() {
	while [ "$(grep -c 'to count instructions' "$T/err" 2>/dev/null)" -lt 2 ]; do sleep 0.2; done
	bash -c 'while :; do :; done' & l1=$!
	bash -c 'while :; do :; done' & l2=$!
	while [ "$(grep -c 'to count instructions' "$T/err" 2>/dev/null)" -lt 3 ] &&
	      kill -0 "$RUN_PID" 2>/dev/null; do sleep 0.2; done
	kill "$l1" "$l2"
	echo loaded > "$T/loaded"
}
: > "$T/err"
"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline --kernel twin \
	--kernel patched --kernel udelay --kernel v6.1 > "$T/out" 2>> "$T/err" &
RUN_PID=$!
load_watch &
watch_pid=$!
wait "$RUN_PID"
ok $? "a run of five kernels with counting boots exits 0"
wait "$watch_pid"
check "the twin's counting boot ran under a host load" test -s "$T/loaded"
is "$(grep -c 'to count instructions' "$T/err")" "5" "each kernel had one counting boot"
is "$(q "$db" "select count(*) from sample where metric = 'cost.kernel_insns_per_io'
	and value is not null")" "15" "three counted repetitions per kernel, each with its cost rows"
is "$(q "$db" "select count(distinct boot) from rep where rep > 1")" "1" \
	"the counted repetitions come from their own boot"
is "$(q "$db" "select count(*) from sample where rep > 1 and metric not like 'cost.%'")" "0" \
	"a counting boot stores cost rows only"
is "$(q "$db" "select distinct unit from sample where metric = 'cost.kernel_insns_per_io'")" \
	"insn/io:tcg-count" "the unit names the source"
contains "$T/err" "baseline: not functions of this kernel (inlined or absent), their cost rows are unavailable: try_grab_page" \
	"a function the kernel does not have is named"
is "$(q "$db" "select count(*) from sample s join run r on r.id = s.run join kernel k on k.id = r.kernel
	where k.name = 'baseline' and s.metric = 'cost.fn.try_grab_page_insns_per_io' and s.value is null")" \
	"3" "and its rows are unavailable, never 0"
check "no sanitizer report or crash" test -z "$(grep -E -e 'Sanitizer|runtime error:|Segmentation fault|core dumped|Aborted' "$T/err")"

# value KERNEL METRIC: the median of the kernel's counted repetitions
value() {
	q "$db" "select value from sample s join run r on r.id = s.run join kernel k on k.id = r.kernel
		where k.name = '$1' and s.metric = '$2' and s.value is not null order by value" |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# within A B PERCENT: |B / A - 1| <= PERCENT / 100
within() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = b / a - 1; if (d < 0) d = -d; exit !(d <= p / 100) }'
}

# --- the same kernel twice, the second under load: the counts agree ---
for fn in folio_add_pin unpin_user_page gup_put_folio iov_iter_extract_pages submit_page_section \
	  dio_bio_complete submit_bio; do
	a=$(value baseline "cost.fn.${fn}_insns_per_io")
	b=$(value twin "cost.fn.${fn}_insns_per_io")
	check "A/A, one side under load: $fn instructions per I/O equal to 0.1 % ($a, $b)" \
		within "$a" "$b" 0.1
done
a=$(value baseline cost.kernel_insns_per_io)
b=$(value twin cost.kernel_insns_per_io)
check "A/A: the kernel's instructions per I/O within the 5 % tolerance ($a, $b)" within "$a" "$b" 5
"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline baseline --patched twin \
	> "$T/aa" 2> "$T/aaerr"
is "$?" "0" "compare of the two: no regression, exit 0"
cmp_id=$(q "$db" "select max(id) from comparison")
is "$(q "$db" "select group_concat(metric || ' ' || verdict || ' ' || median_a || ' -> ' || median_b,
	'; ') from verdict where comparison = $cmp_id and metric like 'cost.%' and verdict != 'no change'")" \
	"" "and no cost row changed"
check "cost rows are exact rows in the report" grep -q 'cost.fn.folio_add_pin_insns_per_io' "$T/aa"

# --- the example patch: one more pin and unpin per page section ---
"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline baseline --patched patched \
	> "$T/pin" 2> "$T/pinerr"
is "$?" "1" "the extra pin per page is a regression: exit 1"
cmp_id=$(q "$db" "select max(id) from comparison")
verdict() { q "$db" "select verdict from verdict where comparison = $cmp_id and metric = '$1'"; }
is "$(verdict cost.fn.folio_add_pin_insns_per_io)" "regression" "folio_add_pin costs more per I/O"
is "$(verdict cost.fn.unpin_user_page_insns_per_io)" "regression" "so does unpin_user_page"
is "$(verdict cost.pin_path_insns_per_page)" "regression" "and the pin path per page"
a=$(value baseline cost.fn.folio_add_pin_insns_per_io)
b=$(value patched cost.fn.folio_add_pin_insns_per_io)
# one more call of the same function: the rise divides what it was (n calls -> n + 1)
check "folio_add_pin rises by one more call's instructions ($a -> $b)" awk -v a="$a" -v b="$b" \
	'BEGIN { n = a / (b - a); exit !(b > a && n >= 1 && n - int(n + 0.5) < 0.01 && int(n + 0.5) - n < 0.01) }'
for fn in dio_bio_complete submit_bio iov_iter_extract_pages; do
	is "$(verdict "cost.fn.${fn}_insns_per_io")" "no change" "$fn is untouched by the patch"
done

# --- a delay on every bio: slower kernel work, whatever IOPS says ---
"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline baseline --patched udelay \
	> "$T/ud" 2> "$T/uderr"
is "$?" "1" "udelay(20) before every bio: exit 1"
cmp_id=$(q "$db" "select max(id) from comparison")
is "$(verdict cost.kernel_insns_per_io)" "regression" \
	"cost.kernel_insns_per_io is a regression ($(value baseline cost.kernel_insns_per_io) -> $(value udelay cost.kernel_insns_per_io))"
is "$(verdict fio.read.iops)" "inconclusive" "while IOPS, from one repetition a side, is inconclusive"
is "$(verdict cost.fn.folio_add_pin_insns_per_io)" "no change" "and the pins cost what they did"

# --- 6.1 against 6.12: references, then pins; the roles line them up ---
"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline v6.1 --patched baseline \
	> "$T/61" 2> "$T/61err"
rc=$?
check "6.1 against 6.12 compares (exit $rc)" test "$rc" -le 1
for role in grab release extract dio bio; do
	check "the $role role has rows on both kernels" test -n "$(value v6.1 "cost.role.${role}_insns_per_io")" -a \
		-n "$(value baseline "cost.role.${role}_insns_per_io")"
	contains "$T/61" "cost.role.${role}_insns_per_io" "and the report shows the $role role"
done
is "$(value v6.1 cost.fn.folio_add_pin_insns_per_io)" "" "6.1 has no folio_add_pin: unavailable"
contains "$T/err" "v6.1: not functions of this kernel (inlined or absent), their cost rows are unavailable: folio_add_pin" \
	"and the run said so"

# --- without the plugin: the run goes on, without cost rows, and says why ---
cost_config "$T/noplugin.ini" noplugin.db "plugin = $T/none/pinbench-count.so"
"$PINBENCH" run --config "$T/noplugin.ini" --target qemu --kernel baseline > "$T/np" 2> "$T/nperr"
ok $? "a run without the plugin still exits 0"
contains "$T/nperr" "the TCG plugin '$T/none/pinbench-count.so' is missing" "naming the missing plugin"
is "$(q "$T/noplugin.db" "select count(*) from sample where metric like 'cost.%'")" "0" \
	"and stores no cost rows"
is "$(q "$T/noplugin.db" "select count(*) from rep where rep >= 1 and status = 'ok'")" "1" \
	"but its measured repetition"

# --- the PMU's counting boot (KVM's path) under TCG, software events in the PMU's place ---
cost_config "$T/pmu.ini" pmu.db "mode = pmu
pmu_events = context-switches page-faults task-clock"
"$PINBENCH" run --config "$T/pmu.ini" --target qemu --kernel baseline > "$T/pmuout" 2> "$T/pmuerr"
ok $? "a run whose counting boot counts with the guest's perf stat exits 0"
contains "$T/pmuerr" "cost rows: under tcg from the guest's PMU (perf stat -e context-switches,page-faults,task-clock)" \
	"and says how it counts"
is "$(q "$T/pmu.db" "select count(*) from sample where metric = 'cost.kernel_insns_per_io'
	and unit = 'insn/io:pmu' and rep > 1 and value >= 0")" "3" \
	"three counted repetitions, each with the PMU's unit"
is "$(q "$T/pmu.db" "select count(*) from sample where rep > 1 and unit not like '%:pmu'")" "0" \
	"the counting boot stores its :pmu rows only"
is "$(q "$T/pmu.db" "select count(*) from sample where metric like 'cost.fn.%'")" "0" \
	"and no per-function rows (a PMU has no ranges)"
# the default events: a TCG guest has no PMU; the boot says why, the run goes on
cost_config "$T/nopmu.ini" nopmu.db "mode = pmu"
"$PINBENCH" run --config "$T/nopmu.ini" --target qemu --kernel baseline > "$T/nopmuout" 2> "$T/nopmuerr"
ok $? "without a PMU in the guest the run still exits 0"
contains "$T/nopmuerr" "cannot count [cost] pmu_events: perf cannot count 'instructions:k' here" \
	"naming the event perf cannot count"
is "$(q "$T/nopmu.db" "select count(*) from sample where metric like 'cost.%'")" "0" \
	"and stores no cost rows"
is "$(q "$T/nopmu.db" "select count(*) from rep where rep >= 1 and status = 'ok'")" "1" \
	"but its measured repetition"

done_testing
