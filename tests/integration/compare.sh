# pinbench compare end to end on real kernels in QEMU: the shipped example
# patch (one more pin and unpin per page in fs/direct-io.c) against its
# baseline, and the baseline against itself (A/A).
. "$(dirname "$0")/lib.bash"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
mkdir -p "$T/img"
cat > "$T/config.ini" <<EOC
[store]
database = cmp.db
[matrix]
filesystems = vfat
rw = randread
bs = 4k
size = 16M
runtime = 1
repetitions = 3
[compare]
max_repetitions = 4
# what the calibration's between-boot noise may ask of the A/A compare: 2 boots a side
# can decide no noisy row (3 pairs are the least), so the A/A can make no false verdict
max_boots = 2
[cost]
# counting boots are tests/integration/cost.sh's
mode = off
[target qemu]
# one boot a side unless a test says otherwise: a small test, and its noisy rows undecided
boots = 1
disks = nvme
disk_size = 256M
image_dir = $T/img
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
EOC
db="$T/cmp.db"

# --patch: the baseline plus the example patch, named baseline+patch
"$PINBENCH" compare --config "$T/config.ini" --baseline baseline \
	--patch "$REPO_DIR/examples/patches/0001-fs-direct-io-extra-pin-per-page.patch" \
	> "$T/out" 2> "$T/err"
is "$?" "1" "an extra pin per page is a regression: exit 1"
is "$(q "$db" "select k.name from run r join kernel k on k.id = r.kernel order by r.id")" \
	"$(printf 'baseline\nbaseline+patch')" "the patched kernel is named after its baseline"
# the counters are exact; per I/O they carry what else pinned in the guest (a few 0.01)
line=$(grep 'pin.released_per_io' "$T/out" | tail -1)
echo "$line" | awk 'function abs(x) { return x < 0 ? -x : x }
	{ exit !(abs($1 - 3) < 0.05 && abs($2 - 1) < 0.05 && abs($3 - 4) < 0.05 && $4 == "REGRESSION") }'
ok $? "pins released per I/O: 3.00 -> 4.00, one more per I/O ($line)"
contains "$T/out" "one boot a side: its repetitions share the boot and the minute, so no noisy row" \
	"that one boot a side decides no noisy row is said, not hidden"
check "the report opens with its answer and the exit status it gives" \
	test "$(head -1 "$T/pinbench-reports/comparison-1.txt")" = "VERDICT: REGRESSION (exit 1)"
contains "$T/out" "regression: pin.released_per_io +1.0" "and the pin finding comes next"
is "$(q "$db" "select count(*) from run where state = 'done'")" "2" "both runs stored"
contains "$T/out" "comparison 1 stored in $db" "the comparison is stored"
contains "$T/out" "report: $T/pinbench-reports/comparison-1.txt" "and the report is written"
sed -n '/^VERDICT:/,/^comparison 1 stored/p' "$T/out" | sed '$d' > "$T/printed"
check "the file holds the report as printed" cmp -s "$T/printed" "$T/pinbench-reports/comparison-1.txt"
contains "$T/out" "<20261124120000.extra-pin.1@pinbench.invalid>" \
	"the header names the patch by its Message-ID"
contains "$T/out" "kernel version: Linux version 6.12." "and both kernels' versions"
# the reproducer holds what the database stored with the runs
contains "$T/out" "$(q "$db" "select config_sha from kernel where name = 'baseline+patch'")" \
	"the reproducer names the patched kernel's .config hash"
contains "$T/out" "      artifact key   $(q "$db" "select build_sha from kernel where name = 'baseline'")" \
	"and the baseline's artifact key"
contains "$T/out" "--rw=randread --bs=4096" "and the fio command line of the job"
check "and the config section the baseline came from, nothing else" sh -c \
	"sed -n '/^reproduce:/,\$p' '$T/out' | grep -q '^    \[kernel baseline\]' &&
	 ! sed -n '/^reproduce:/,\$p' '$T/out' | grep -q '\[kernel twin\]\|cache_dir'"
contains "$T/out" "pin balance of baseline+patch" "the report has each run's pin balance"
is "$(sed -n '/^pin balance of baseline+patch/,/^  net/p' "$T/out" | awk '$4 ~ /^[-+][0-9]/ {print $4}')" \
	"-3.00" "the patched kernel releases 3 more pins per I/O than it counts acquired"
is "$(sed -n '/^VERDICT:/,$p' "$T/out" | awk 'length($0) > 100' | wc -l)" "0" \
	"no line of the report is longer than 100 columns"
is "$(q "$db" "select v.verdict || ' ' || printf('%.1f', v.delta) from verdict v
	where v.comparison = 1 and v.metric = 'pin.released_per_io'")" "regression 1.0" \
	"with its verdicts: the pin row is a regression of +1 pin per I/O"
is "$(q "$db" "select regressions || ' ' || run_a || ' ' || run_b from comparison where id = 1")" \
	"1 1 2" "the comparison row counts it and names the runs"
is "$(q "$db" "select count(*) from verdict where comparison = 1 and kind = 'noisy'
	and (ci_lo is null or ci_lo > ratio or ci_hi < ratio)")" "0" \
	"every noisy verdict holds its ratio inside its CI"

"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > "$T/again" 2>&1
is "$?" "1" "--from-db recomputes the verdict from the database"
sed -n '/stddev/,$p' "$T/out" | sed '1d; /^comparison [0-9]* stored/d; /^report: /d' > "$T/table1"
sed -n '/stddev/,$p' "$T/again" | sed '1d; /^comparison [0-9]* stored/d; /^report: /d' > "$T/table2"
check "and gives the same table (fixed bootstrap seed)" cmp -s "$T/table1" "$T/table2"

"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 --json > "$T/json"
python3 - "$T/json" "$T/again" > "$T/py" 2>&1 <<'EOP'
import json, sys
doc = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
rows = {(r["job"], r["metric"]): r for r in doc["rows"]}
pin = rows[("randread-4k-qd1-psync-nj1@nvme:vfat", "pin.released_per_io")]
print("verdict", pin["verdict"], "delta %.1f" % pin["delta"])
iops = rows[("randread-4k-qd1-psync-nj1@nvme:vfat", "fio.read.iops")]
# the text shows the same numbers the JSON holds
want = "%+.1f%%" % ((iops["ratio"] - 1) * 100)
print("iops change in text", want in text)
print("regressions", doc["regressions"])
b = doc["pin_balance_b"][0]
print("balance %.2f leak %s" % (b["net_per_io"], b["leak"]))
EOP
contains "$T/py" "verdict regression delta 1.0" "the JSON has the change of the pins"
contains "$T/py" "iops change in text True" "the text's %change is the computed ratio"
contains "$T/py" "regressions 1" "and counts one regression"
contains "$T/py" "balance -3.00 leak False" "with each run's pin balance"

"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline baseline \
	--patched baseline+patch > "$T/byname" 2>&1
is "$?" "1" "--from-db by kernel names takes their newest finished runs"
contains "$T/byname" "(run 2) against baseline (run 1)" "naming both runs"

# calibrate: the baseline as both sides; its noise is stored for this machine
"$PINBENCH" calibrate --config "$T/config.ini" --kernel baseline --repetitions 4 \
	> "$T/cal" 2> "$T/calerr"
is "$?" "0" "calibrate measures the A/A noise"
calcmp=$(q "$db" "select max(id) from comparison")
is "$(q "$db" "select count(distinct run_a || ' ' || run_b) from comparison where id = $calcmp
	and run_a != run_b and (select kernel from run where id = run_a) =
	(select kernel from run where id = run_b)")" "1" "as a comparison of two runs of one kernel"
is "$(q "$db" "select count(*) from noise where comparison = $calcmp and n = 8
	and metric = 'fio.read.iops' and cv >= 0")" "1" \
	"the IOPS noise is stored from 4 + 4 repetitions"
python3 - "$db" "$calcmp" > "$T/cv" <<'EOP'
import sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
cmp = int(sys.argv[2])
ra, rb = db.execute("select run_a, run_b from comparison where id = ?", (cmp,)).fetchone()
# two boots a side: the noise is the between-boot one, the CV of the boots' medians
def cv(run):
    boots = {}
    for boot, value in db.execute("select p.boot, s.value from sample s join rep p on"
                                  " (p.run, p.job, p.rep) = (s.run, s.job, s.rep) where"
                                  " s.run = ? and s.rep >= 1 and s.metric = 'fio.read.iops'",
                                  (run,)):
        boots.setdefault(boot, []).append(value)
    v = [statistics.median(b) for b in boots.values()]
    return statistics.stdev(v) / statistics.mean(v), len(v)
(ca, na), (cb, nb) = cv(ra), cv(rb)
pooled = (((na - 1) * ca * ca + (nb - 1) * cb * cb) / (na + nb - 2)) ** 0.5
stored = db.execute("select cv from noise where comparison = ? and metric = 'fio.read.iops'",
                    (cmp,)).fetchone()[0]
print("match" if abs(pooled - stored) < 1e-9 else "differ %r %r" % (pooled, stored))
print("%.1f%%" % (stored * 100))
EOP
is "$(head -1 "$T/cv")" "match" \
	"the stored CV is both runs' between-boot CVs pooled, recomputed from the samples"
is "$(q "$db" "select boots from noise where comparison = $calcmp and metric = 'fio.read.iops'")" \
	"4" "from 2 + 2 boots"
contains "$T/cal" "$(sed -n 2p "$T/cv")" "and the calibration table prints it"

"$PINBENCH" compare --config "$T/config.ini" --baseline baseline --patched twin \
	> "$T/aa" 2> "$T/aaerr"
is "$?" "0" "A/A (the same kernel under two names): no regression, exit 0"
check "no row says REGRESSION (nor the headline)" \
	sh -c "! grep -Eq 'REGRESSION +[a-z]+\.|VERDICT: REGRESSION' '$T/aa'"
is "$(grep 'pin.released_per_io' "$T/aa" | tail -1 | awk '{print NF}')" "5" \
	"and pins per I/O are unchanged (no mark on the row)"
contains "$T/aaerr" "2 boots a side: this machine's between-boot noise" \
	"without --boots compare takes them from the stored between-boot noise (capped at 2)"
is "$(q "$db" "select count(distinct boot) || ' ' || count(*) from rep where rep >= 1
	and run = (select max(id) from run)")" "2 3" "and boots that many, 3 repetitions over them"
contains "$T/aa" "A/A noise of this machine (pinbench calibrate)" "the report shows the noise"
contains "$T/out" "no A/A noise is stored for this machine" \
	"and says so when there was none"

"$PINBENCH" compare --config "$T/config.ini" --baseline baseline > /dev/null 2> "$T/usage"
is "$?" "2" "a missing --patched is a usage error"
"$PINBENCH" compare --config "$T/config.ini" --baseline baseline --patch x.patch \
	--name patched > /dev/null 2> "$T/usage"
is "$?" "2" "--name may not take a configured kernel's name"
contains "$T/usage" "a [kernel patched] section has that name" "and says why"
"$PINBENCH" compare --config "$T/config.ini" --baseline baseline \
	--patch "$T/missing.patch" > /dev/null 2> "$T/usage"
is "$?" "2" "a patch that does not exist is bad input"
"$PINBENCH" compare --config "$T/config.ini" --from-db --baseline nosuch \
	--patched baseline > /dev/null 2> "$T/usage"
is "$?" "2" "--from-db with a kernel that never ran is a usage error"
contains "$T/usage" "no finished run of kernel 'nosuch'" "naming it"
"$PINBENCH" compare --config "$T/config.ini" --from-db 1 99 > /dev/null 2> "$T/norun"
is "$?" "3" "an unknown run is an error"
contains "$T/norun" "no run 99" "naming it"

done_testing
