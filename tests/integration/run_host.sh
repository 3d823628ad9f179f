# pinbench run --target host with real fio, perf and SQLite; then db list/show/export.
. "$(dirname "$0")/lib.bash"

tiny_config "$T/config.ini"
"$PINBENCH" run --config "$T/config.ini" --target host > "$T/out" 2> "$T/err"
ok $? "run exits 0"
cp "$T/err" "$T/first.err"
db="$T/tiny.db"
check "database created next to the config" test -f "$db"
contains "$T/out" "database: $db" "run prints where the database is"
contains "$T/out" "fio.read.iops" "summary shows read IOPS"
contains "$T/out" "pin.released_per_io" "summary shows pins per I/O"
contains "$T/err" "[4/4]" "progress lines count repetitions"

is "$(q "$db" "select state from run")" "done" "run state done"
is "$(q "$db" "select count(*) from job")" "2" "two jobs stored"
is "$(q "$db" "select count(*) from rep where status='ok' and rep>=1")" "4" "2 jobs x 2 repetitions stored"
is "$(q "$db" "select count(*) from sample s join job j on j.id=s.job
	where j.rw='randread' and s.metric='fio.read.iops' and s.value>0 and s.unit='IO/s'")" "2" \
	"positive read IOPS per repetition, unit IO/s"
is "$(q "$db" "select count(*) from sample s join job j on j.id=s.job
	where j.rw='write' and s.metric='fio.write.bw_bytes' and s.value>0 and s.unit='B/s'")" "2" \
	"positive write bandwidth per repetition"
is "$(q "$db" "select count(*) from sample where metric='fio.read.clat_p99_ns' and value>0")" "2" \
	"p99 latency stored"
is "$(q "$db" "select count(*) from sample where metric='vmstat.nr_foll_pin_released'")" "4" \
	"pin counter deltas stored for every repetition"
if [ "$(awk '/nr_foll_pin_released/ {print $2}' /proc/vmstat)" != "" ]; then
	is "$(q "$db" "select count(*) from sample where metric='pin.released_per_io' and value>0 and unit='pins/io'")" \
		"4" "pins released per I/O derived (this kernel pins for O_DIRECT)"
	# a ramp is warm-up outside every collector's window: the pins it takes must not be
	# divided by the measured I/Os (the smallest of the repetitions: other work only adds pins)
	tiny_config "$T/ramp.ini" "ramp = 1"
	sed -i -e 's/^rw = .*/rw = randread/' "$T/ramp.ini"
	"$PINBENCH" run --config "$T/ramp.ini" --db "$T/ramp.db" -q > /dev/null 2> "$T/ramp.err"
	ok $? "run with ramp = 1"
	is "$(q "$T/ramp.db" "select count(*) from rep where status='ok' and rep>=1")" "2" \
		"ramp: 2 repetitions stored, the ramp passes not"
	base=$(q "$db" "select min(s.value) from sample s join job j on j.id=s.job
		where j.rw='randread' and s.metric='pin.acquired_per_io'")
	ramped=$(q "$T/ramp.db" "select min(value) from sample where metric='pin.acquired_per_io'")
	check "ramp: pins acquired per I/O $ramped, as without a ramp ($base), within 10 %" \
		awk -v a="$base" -v b="$ramped" 'BEGIN { exit !(a > 0 && b > 0 && b / a > 0.9 && b / a < 1.1) }'
else
	skip "pins per I/O" "kernel without nr_foll_pin_released"
fi
is "$(q "$db" "select count(*) from sample where metric='perf.task_clock' and value>0")" "4" \
	"perf task-clock stored"
is "$(q "$db" "select count(*) from sample where metric like 'perf.cycles%' and value=0")" "0" \
	"no hardware counter stored as 0"
is "$(q "$db" "select count(distinct hash) from job")" "2" "job rows keyed by hash"
is "$(q "$db" "select release from kernel")" "$(uname -r)" "kernel release recorded"
is "$(q "$db" "select cores from machine")" "$(nproc)" "machine cores recorded"

# the same jobs again: same job rows, a second run
"$PINBENCH" run --config "$T/config.ini" --repetitions 1 -q > /dev/null 2>&1
ok $? "second run"
is "$(q "$db" "select count(*) from job")" "2" "same jobs reuse their rows"
is "$(q "$db" "select count(*) from run where state='done'")" "2" "two runs done"

"$PINBENCH" db list --config "$T/config.ini" > "$T/list"
ok $? "db list"
is "$(grep -c ' done ' "$T/list")" "2" "db list shows both runs"
"$PINBENCH" db show 1 --db "$db" > "$T/show"
ok $? "db show 1"
contains "$T/show" "state: done" "show prints the state"
contains "$T/show" "perf.context_switches" "show prints every metric"

"$PINBENCH" db export --format json --db "$db" 1 > "$T/export.json"
ok $? "db export json"
python3 - "$T/export.json" "$db" > "$T/py" 2>&1 <<'PY'
import json, sqlite3, sys
rows = json.load(open(sys.argv[1]))
n = sqlite3.connect(sys.argv[2]).execute("select count(*) from sample where run=1").fetchone()[0]
assert len(rows) == n, (len(rows), n)
for r in rows:
    assert set(r) == {"run", "job", "job_id", "rep", "metric", "value", "unit"}, r
    assert r["run"] == 1
print("ok")
PY
ok $? "json export: one object per sample of run 1 with run, job, rep, metric, value, unit"
"$PINBENCH" db export --format csv --db "$db" > "$T/export.csv"
ok $? "db export csv (all runs)"
is "$(head -1 "$T/export.csv")" "run,job,rep,metric,value,unit" "csv header"
is "$(($(wc -l < "$T/export.csv") - 1))" "$(q "$db" "select count(*) from sample")" "csv has every sample"

# the optional profile pass: one unmeasured perf record pass per job, stored as repetition 0
sed -e 's/^rw = .*/rw = randread/' -e 's/^repetitions = 2/repetitions = 1/' "$T/config.ini" > "$T/prof.ini"
printf 'perf_profile = on\n' >> "$T/prof.ini"
"$PINBENCH" run --config "$T/prof.ini" --db "$T/prof.db" -q > /dev/null 2> "$T/err"
ok $? "run with perf_profile = on"
is "$(q "$T/prof.db" "select count(*) from sample where rep=0 and metric='profile.pin_share_pct' and unit='%'")" \
	"1" "profile.pin_share_pct stored for the profile pass (repetition 0)"
top=$(q "$T/prof.db" "select count(*) from sample where rep=0 and metric like 'profile.sym.%' and value>0")
n=$((n + 1)); if [ "$top" -ge 1 ]; then echo "ok $n - top symbols stored ($top)"; else echo "not ok $n - top symbols stored"; failed=$((failed+1)); fi
is "$(q "$T/prof.db" "select count(*) from sample where rep=0 and metric like 'fio.%'")" "0" \
	"the profile pass stores no fio samples"

# cost rows from the PMU: none here (perf counts software events only), and the run says why
contains "$T/first.err" "cost rows: none on this machine: perf cannot count 'instructions:k' here" \
	"without a PMU the host run says why it has no cost rows"
is "$(q "$db" "select count(*) from sample where metric like 'cost.%'")" "0" "and stores none"
# the same counted and idle runs under perf stat, with a tracepoint and software events in the PMU's place:
# perf, fio and the arithmetic are the real ones, only the events differ
sed -e 's/^rw = .*/rw = randread/' "$T/config.ini" > "$T/pmu.ini"
printf '[cost]\nrepetitions = 2\nios = 400\npmu_events = syscalls:sys_enter_pread64 page-faults task-clock\n' \
	>> "$T/pmu.ini"
"$PINBENCH" run --config "$T/pmu.ini" --db "$T/pmu.db" > /dev/null 2> "$T/pmuerr"
ok $? "a host run with countable pmu_events exits 0"
contains "$T/pmuerr" "cost rows: 2 counted repetitions per job under perf stat -e syscalls:sys_enter_pread64,page-faults,task-clock" \
	"and says how it counts"
is "$(q "$T/pmu.db" "select group_concat(rep) from (select distinct rep from sample
	where metric = 'cost.kernel_insns_per_io' and unit = 'insn/io:pmu' and value >= 0 order by rep)")" \
	"3,4" "two counted repetitions after the two measured ones, unit insn/io:pmu"
is "$(q "$T/pmu.db" "select count(*) from sample where rep > 2 and metric not like 'cost.%'")" "0" \
	"a counted repetition stores its cost rows only (its fio figures are of a fixed-I/O run)"
is "$(q "$T/pmu.db" "select count(*) from sample where rep <= 2 and metric like 'cost.%'")" "0" \
	"and the measured repetitions stay as they were"
# psync reads are one pread64 each: exactly one per I/O, the idle run's own taken off
# (a count of how the host scheduled fio, context switches say, would follow its load)
check "the difference per I/O is a per-I/O figure: $(q "$T/pmu.db" "select group_concat(printf('%.4f', value)) from sample where metric = 'cost.kernel_insns_per_io'") pread64 calls" \
	test "$(q "$T/pmu.db" "select count(*) from sample where metric = 'cost.kernel_insns_per_io'
		and value between 0.999 and 1.001")" = 2
# task-clock is CPU time: fio's start, which the idle run repeats, varies more than 400 I/Os cost
is "$(q "$T/pmu.db" "select count(*) from sample where metric = 'cost.kernel_cycles_per_io'
	and unit = 'cycles/io:pmu' and (value is null or value >= 0)")" "2" \
	"the third event (task-clock here) per I/O, unavailable where the difference fell below 0"
printf '[cost]\npmu_events = instructions:k instructions:u\n' >> "$T/bad-pmu.ini"
cat "$T/config.ini" "$T/bad-pmu.ini" > "$T/bad2.ini"
"$PINBENCH" run --config "$T/bad2.ini" --db "$T/bad.db" > /dev/null 2> "$T/baderr"
is "$?" "2" "pmu_events with two events is a config error (exit 2)"
contains "$T/baderr" "[cost] pmu_events names 2 events: it takes three" "that says what it takes"

"$PINBENCH" db show 99 --db "$db" > /dev/null 2> "$T/err99"
is "$?" "2" "db show of a missing run exits 2"
contains "$T/err99" "no run 99" "and says so"

done_testing
